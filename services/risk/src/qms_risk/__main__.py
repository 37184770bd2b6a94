from qms_risk.app import main

main()

from qms_procedures.app import main

main()

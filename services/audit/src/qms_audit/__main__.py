from qms_audit.app import main

main()

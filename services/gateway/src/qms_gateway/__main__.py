from qms_gateway.app import main

main()

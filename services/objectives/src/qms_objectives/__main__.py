from qms_objectives.app import main

main()

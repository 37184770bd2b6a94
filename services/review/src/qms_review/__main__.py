from qms_review.app import main

main()

Thank you for using our service.
This is a notification from UPKI Digital Certificate Issuance Service.

*************************************************************
This e-mail is automatically sent by
"UPKI Digital Certificate Issuance Service"
*************************************************************

If you do not recognize this e-mail or if you have any questions,
please contact your Digital certification issue department.

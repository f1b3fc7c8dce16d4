"""The acknowledgement of filing (récépissé): a PDF a citizen hands to a bank, an insurer or an
employer as proof that they reported, and the public check of its verification code."""

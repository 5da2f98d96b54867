print("step-ca")

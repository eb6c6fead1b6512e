import Audio
print("hi")

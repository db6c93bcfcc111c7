import Sim
import ArgumentParser
print("hi")

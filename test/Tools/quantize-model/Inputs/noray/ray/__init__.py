# Stands for an absent Ray in no-ray.test (PYTHONPATH=Inputs/noray): `import
# ray` fails here as it does where Ray is not installed, whether or not the
# Python running the test has it.
raise ImportError("No module named 'ray'", name="ray")

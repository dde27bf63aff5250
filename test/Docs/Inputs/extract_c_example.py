"""Prints the first ```c code block of a Markdown file."""
import re
import sys

text = open(sys.argv[1]).read()
match = re.search(r"^```c\n(.*?)^```$", text, re.S | re.M)
if not match:
    sys.exit("no ```c block in %s" % sys.argv[1])
sys.stdout.write(match.group(1))

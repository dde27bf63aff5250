# -*- Python -*-
# lit runs every gtest case of the unit-test binaries as its own test.
import os

import lit.formats

config.name = "DQ-Unit"
config.test_format = lit.formats.GoogleTest(".", "Tests")
config.test_source_root = config.dq_unittests_dir
config.test_exec_root = config.dq_unittests_dir

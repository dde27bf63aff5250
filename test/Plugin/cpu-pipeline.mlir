// dq inside a stack the user already has: upstream mlir-opt loads DQPlugin
// and runs --dq-cpu-pipeline; upstream mlir-runner executes the result, which
// is compared with dqgen.py's float64 reference (numpy, independent of dq)
// within the bound of scripts/check_matmul.py.
// REQUIRES: numpy
// RUN: %dq_python %dq_src_root/scripts/dqgen.py matmul-test --bits 2 --group 16 --n 7 --k 48 --batch-shape 3 --act-type f32 --scale-type f16 --seed 11 -o %t.mlir --npz %t.npz
// RUN: mlir-opt --load-dialect-plugin=%dq_plugin --load-pass-plugin=%dq_plugin --pass-pipeline="builtin.module(dq-cpu-pipeline)" %t.mlir | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs > %t.out
// RUN: %dq_python %dq_src_root/scripts/check_matmul.py %t.npz %t.out | FileCheck %s
// CHECK: check_matmul: {{[0-9]+}} elements

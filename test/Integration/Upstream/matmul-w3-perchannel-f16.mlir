// Compile a random dq.matmul with --dq-cpu-pipeline, run it with upstream
// mlir-runner, and compare with the float64 reference computed by
// dqgen.py (numpy, independent of dq) within the bound derived in
// scripts/check_matmul.py.
// REQUIRES: numpy
// RUN: %dq_python %dq_src_root/scripts/dqgen.py matmul-test --bits 3 --group 40 --n 5 --k 40 --batch-shape 2x3 --act-type f16 --scale-type bf16 --seed 2 -o %t.mlir --npz %t.npz
// RUN: dq-opt --dq-cpu-pipeline %t.mlir | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs > %t.out
// RUN: %dq_python %dq_src_root/scripts/check_matmul.py %t.npz %t.out | FileCheck %s
// CHECK: check_matmul: {{[0-9]+}} elements

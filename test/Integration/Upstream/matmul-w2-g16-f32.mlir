// Compile a random dq.matmul with --dq-cpu-pipeline, run it with upstream
// mlir-runner, and compare with the float64 reference computed by
// dqgen.py (numpy, independent of dq) within the bound derived in
// scripts/check_matmul.py.
// REQUIRES: numpy
// RUN: %dq_python %dq_src_root/scripts/dqgen.py matmul-test --bits 2 --group 16 --n 7 --k 48 --batch-shape 3 --act-type f32 --scale-type f16 --seed 1 -o %t.mlir --npz %t.npz
// RUN: dq-opt --dq-cpu-pipeline %t.mlir | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs > %t.out
// RUN: %dq_python %dq_src_root/scripts/check_matmul.py %t.npz %t.out | FileCheck %s
// CHECK: check_matmul: {{[0-9]+}} elements

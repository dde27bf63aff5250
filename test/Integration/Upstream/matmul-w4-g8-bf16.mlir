// Compile a random dq.matmul with --dq-cpu-pipeline, run it with upstream
// mlir-runner, and compare with the float64 reference computed by
// dqgen.py (numpy, independent of dq) within the bound derived in
// scripts/check_matmul.py.
// REQUIRES: numpy
// RUN: %dq_python %dq_src_root/scripts/dqgen.py matmul-test --bits 4 --group 8 --n 9 --k 24 --batch-shape none --act-type bf16 --scale-type f32 --seed 3 -o %t.mlir --npz %t.npz
// RUN: dq-opt --dq-cpu-pipeline %t.mlir | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs > %t.out
// RUN: %dq_python %dq_src_root/scripts/check_matmul.py %t.npz %t.out | FileCheck %s
// CHECK: check_matmul: {{[0-9]+}} elements

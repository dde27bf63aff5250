// The portable lowering through upstream mlir-opt with DQPlugin: nothing of
// dq is left, and upstream's own passes then take the result to LLVM and
// mlir-runner executes it; the numbers are checked against dqgen.py's
// float64 reference.
// REQUIRES: numpy
// RUN: %dq_python %dq_src_root/scripts/dqgen.py matmul-test --bits 3 --group 8 --n 5 --k 24 --batch-shape 2 --act-type f32 --scale-type f32 --seed 12 -o %t.mlir --npz %t.npz
// RUN: mlir-opt --load-dialect-plugin=%dq_plugin --load-pass-plugin=%dq_plugin --pass-pipeline="builtin.module(dq-lower-to-linalg)" %t.mlir -o %t.linalg.mlir
// RUN: FileCheck %s --check-prefix=IR < %t.linalg.mlir
// RUN: mlir-opt %t.linalg.mlir --one-shot-bufferize=bufferize-function-boundaries --convert-linalg-to-loops --convert-scf-to-cf --expand-strided-metadata --lower-affine --finalize-memref-to-llvm --convert-to-llvm --reconcile-unrealized-casts | mlir-runner -e main -entry-point-result=void -shared-libs=%mlir_runner_libs > %t.out
// RUN: %dq_python %dq_src_root/scripts/check_matmul.py %t.npz %t.out | FileCheck %s
// IR-NOT: dq.
// IR: linalg.generic
// IR-NOT: dq.
// CHECK: check_matmul: {{[0-9]+}} elements

// Without the plugin, upstream mlir-opt does not know dq: the failure the
// plugin removes.
// RUN: not mlir-opt %t.mlir 2>&1 | FileCheck %s --check-prefix=NOPLUGIN
// NOPLUGIN: error: Dialect `dq' not found for custom op 'dq.constant'

// RUN: dq-opt %s --dq-lower-matmul-cpu=target=generic --split-input-file | FileCheck %s
// RUN: dq-opt %s --dq-cpu-pipeline="target=generic vectorize=false" --split-input-file | FileCheck %s --check-prefix=LLVM
// LLVM-NOT: dq.
// LLVM-NOT: unrealized_conversion_cast

// (Private functions: the pipeline's ABI export takes tensors only. Not
// vectorized: --dq-vectorize-linalg-cpu tiles the loop's in-place
// linalg.add so that it reads the loop's argument, not the tile's, and
// bufferization refuses the yield. test/Integration/CPU/boundaries.test
// runs such a module and checks its numbers.)

// An n16k4 weight converts 1:N to its stored parts (packed bytes, tiled
// scale, tiled offset), so it reaches its dq.matmul across every boundary
// the structural conversions know about, and the matmul becomes a
// dq.kernel on those parts wherever the weight came from.

// A weight argument becomes three arguments that the kernel reads.
// LLVM-LABEL: llvm.func @argument
// LLVM: llvm.call @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par(
// CHECK-LABEL: func.func private @argument
// CHECK-SAME: (%[[X:.*]]: tensor<3x64xf32>, %[[Q:.*]]: tensor<2x256xi8>, %[[S:.*]]: tensor<2x2x16xf16>, %[[Z:.*]]: tensor<2x2x16xf16>) -> tensor<3x20xf32>
// CHECK: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par #dq_cpu.matmul<{{.*}}> ins(%[[X]], %[[Q]], %[[S]], %[[Z]] : tensor<3x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
func.func private @argument(%x: tensor<3x64xf32>, %w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32> {
  %y = dq.matmul %x, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// -----

// A returned weight becomes three results; a caller passes them on, and
// the constant's blobs cross the call as they are.
// CHECK-LABEL: func.func private @make() -> (tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
// CHECK-NEXT: %[[Q:.*]] = arith.constant dense_resource<q> : tensor<2x256xi8>
// CHECK-NEXT: %[[S:.*]] = arith.constant dense_resource<s> : tensor<2x2x16xf16>
// CHECK-NEXT: %[[Z:.*]] = arith.constant dense_resource<z> : tensor<2x2x16xf16>
// CHECK-NEXT: return %[[Q]], %[[S]], %[[Z]]
// CHECK-LABEL: func.func private @caller
// CHECK: %[[R:.*]]:3 = call @make() : () -> (tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
// CHECK: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par {{.*}} ins(%{{.*}}, %[[R]]#0, %[[R]]#1, %[[R]]#2 :
func.func private @make() -> !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> {
  %w = dq.constant packed(dense_resource<q> : tensor<2x256xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  return %w : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
}

func.func private @caller(%x: tensor<3x64xf32>) -> tensor<3x20xf32> {
  %w = func.call @make() : () -> !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  %y = dq.matmul %x, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x010000001B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B1B",
      s: "0x02000000003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C003C",
      z: "0x020000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000"
    }
  }
#-}

// -----

// scf.for carries the three parts; the body's kernel reads the block
// arguments.
// CHECK-LABEL: func.func private @for_iter_args
// CHECK-SAME: (%[[X:.*]]: tensor<3x64xf32>, %[[Q:.*]]: tensor<2x256xi8>, %[[S:.*]]: tensor<2x2x16xf16>, %[[Z:.*]]: tensor<2x2x16xf16>)
// CHECK: scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[A:.*]] = %{{.*}}, %[[QI:.*]] = %[[Q]], %[[SI:.*]] = %[[S]], %[[ZI:.*]] = %[[Z]]) -> (tensor<3x20xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
// CHECK:   dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par {{.*}} ins(%[[X]], %[[QI]], %[[SI]], %[[ZI]] :
// CHECK:   scf.yield %{{.*}}, %[[QI]], %[[SI]], %[[ZI]]
func.func private @for_iter_args(%x: tensor<3x64xf32>, %w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c2 = arith.constant 2 : index
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<3x20xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<3x20xf32>) -> tensor<3x20xf32>
  %r:2 = scf.for %i = %c0 to %c2 step %c1 iter_args(%acc = %init, %wi = %w) -> (tensor<3x20xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) {
    %y = dq.matmul %x, %wi : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
    %sum = linalg.add ins(%acc, %y : tensor<3x20xf32>, tensor<3x20xf32>) outs(%acc : tensor<3x20xf32>) -> tensor<3x20xf32>
    scf.yield %sum, %wi : tensor<3x20xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  }
  return %r#0 : tensor<3x20xf32>
}

// -----

// scf.if chooses between two weights: it yields the parts of either.
// CHECK-LABEL: func.func private @if_result
// CHECK: %[[R:.*]]:3 = scf.if %{{.*}} -> (tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>) {
// CHECK: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par {{.*}} ins(%{{.*}}, %[[R]]#0, %[[R]]#1, %[[R]]#2 :
func.func private @if_result(%c: i1, %x: tensor<3x64xf32>, %a: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, %b: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32> {
  %w = scf.if %c -> !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> {
    scf.yield %a : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  } else {
    scf.yield %b : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>
  }
  %y = dq.matmul %x, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// -----

// Branches carry the parts to their successors' block arguments.
// CHECK-LABEL: func.func private @branches
// CHECK: cf.cond_br %{{.*}}, ^bb1(%{{.*}}, %{{.*}}, %{{.*}} : tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>), ^bb1(
// CHECK: ^bb1(%[[Q:.*]]: tensor<2x256xi8>, %[[S:.*]]: tensor<2x2x16xf16>, %[[Z:.*]]: tensor<2x2x16xf16>):
// CHECK: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par {{.*}} ins(%{{.*}}, %[[Q]], %[[S]], %[[Z]] :
func.func private @branches(%c: i1, %x: tensor<3x64xf32>, %a: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, %b: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> tensor<3x20xf32> {
  cf.cond_br %c, ^bb1(%a : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>), ^bb1(%b : !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>)
^bb1(%w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>):
  %y = dq.matmul %x, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y : tensor<3x20xf32>
}

// -----

// A weight in the logical layout keeps its type and its dq ops, for
// --dq-lower-to-linalg; only the n16k4 one is converted.
// CHECK-LABEL: func.func private @mixed
// CHECK-SAME: (%{{.*}}: tensor<3x64xf32>, %[[R:.*]]: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16>, %{{.*}}: tensor<2x256xi8>, %{{.*}}: tensor<2x2x16xf16>, %{{.*}}: tensor<2x2x16xf16>)
// CHECK: dq.matmul %{{.*}}, %[[R]]
// CHECK: dq.kernel @__dq_matmul_w2g32_20x64_f16_xf32_f32_generic_mb8_par
func.func private @mixed(%x: tensor<3x64xf32>, %r: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16>, %w: !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>) -> (tensor<3x20xf32>, tensor<3x20xf32>) {
  %y0 = dq.matmul %x, %r : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16> -> tensor<3x20xf32>
  %y1 = dq.matmul %x, %w : tensor<3x64xf32>, !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4> -> tensor<3x20xf32>
  return %y0, %y1 : tensor<3x20xf32>, tensor<3x20xf32>
}

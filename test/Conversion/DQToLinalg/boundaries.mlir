// RUN: dq-opt %s --dq-lower-to-linalg --split-input-file | FileCheck %s
// RUN: dq-opt %s --dq-lower-to-linalg --split-input-file | mlir-opt --split-input-file | FileCheck %s --check-prefix=UPSTREAM
// UPSTREAM-NOT: dq.
// UPSTREAM-NOT: !dq
// UPSTREAM-NOT: unrealized_conversion_cast

// A weight converts 1:N to its integer part, scale and offset, so it crosses
// every boundary the upstream structural conversions know about.

// A weight argument becomes three tensor arguments; the attributes of the
// other arguments stay on them.
// CHECK-LABEL: func.func @argument
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4xi2>, %[[S:.*]]: tensor<2x2xf16>, %[[Z:.*]]: tensor<2x2xf16>, %{{.*}}: i32 {llvm.noundef}) -> tensor<2x4xf32>
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[Q]], %[[S]], %[[Z]] : tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>) outs(%{{.*}} : tensor<2x4xf32>)
// CHECK: return %[[W]]
func.func @argument(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>, %n: i32 {llvm.noundef}) -> tensor<2x4xf32> {
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

// A returned weight becomes three results.
// CHECK-LABEL: func.func @result
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4xi2>, %[[S:.*]]: tensor<2x2xf16>, %[[Z:.*]]: tensor<2x2xf16>) -> (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>)
// CHECK-NEXT: return %[[Q]], %[[S]], %[[Z]] : tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>
func.func @result(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> {
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
}

// -----

// Calls pass and return the three parts; a declaration's signature converts
// too. The constant is unpacked once, in the caller.
// CHECK-LABEL: func.func private @make() -> (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>)
// CHECK-LABEL: func.func @apply
// CHECK-SAME: (%[[X:.*]]: tensor<3x4xf32>, %[[Q:.*]]: tensor<2x4xi2>, %[[S:.*]]: tensor<2x2xf16>, %[[Z:.*]]: tensor<2x2xf16>) -> tensor<3x2xf32>
// CHECK: linalg.generic {{.*}} ins(%[[Q]], %[[S]], %[[Z]] :
// CHECK: linalg.matmul
// CHECK-LABEL: func.func @caller
// CHECK: %[[P:.*]] = arith.constant dense_resource<q> : tensor<2x1xi8>
// CHECK: %[[S:.*]] = arith.constant dense_resource<s> : tensor<2x2xf16>
// CHECK: %[[Z:.*]] = arith.constant dense_resource<z> : tensor<2x2xf16>
// CHECK: %[[Q:.*]] = linalg.generic {{.*}} ins(%[[P]] : tensor<2x1xi8>) outs(%{{.*}} : tensor<2x4xi2>)
// CHECK: %[[Y:.*]] = call @apply(%{{.*}}, %[[Q]], %[[S]], %[[Z]]) : (tensor<3x4xf32>, tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>) -> tensor<3x2xf32>
// CHECK: %[[R:.*]]:3 = call @make() : () -> (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>)
// CHECK: call @apply(%{{.*}}, %[[R]]#0, %[[R]]#1, %[[R]]#2)
func.func private @make() -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>

func.func @apply(%x: tensor<3x4xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<3x2xf32> {
  %y = dq.matmul %x, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return %y : tensor<3x2xf32>
}

func.func @caller(%x: tensor<3x4xf32>) -> (tensor<3x2xf32>, tensor<3x2xf32>) {
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %y = func.call @apply(%x, %w) : (tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<3x2xf32>
  %m = func.call @make() : () -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  %y2 = func.call @apply(%x, %m) : (tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<3x2xf32>
  return %y, %y2 : tensor<3x2xf32>, tensor<3x2xf32>
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B",
      s: "0x10000000003C0040003C003C",
      z: "0x1000000000000000003C0000"
    }
  }
#-}

// -----

// A weight carried through scf.for iter_args: the loop carries the three
// parts and the body's dq.matmul reads the block arguments.
// CHECK-LABEL: func.func @for_iter_args
// CHECK-SAME: (%[[X:.*]]: tensor<4x4xf32>, %[[Q:.*]]: tensor<4x4xi4>, %[[S:.*]]: tensor<4x1xf32>, %[[Z:.*]]: tensor<4x1xf32>)
// CHECK: %[[R:.*]]:4 = scf.for %{{.*}} = %{{.*}} to %{{.*}} step %{{.*}} iter_args(%[[XI:.*]] = %[[X]], %[[QI:.*]] = %[[Q]], %[[SI:.*]] = %[[S]], %[[ZI:.*]] = %[[Z]]) -> (tensor<4x4xf32>, tensor<4x4xi4>, tensor<4x1xf32>, tensor<4x1xf32>)
// CHECK:   linalg.generic {{.*}} ins(%[[QI]], %[[SI]], %[[ZI]] :
// CHECK:   %[[Y:.*]] = linalg.matmul
// CHECK:   scf.yield %[[Y]], %[[QI]], %[[SI]], %[[ZI]] : tensor<4x4xf32>, tensor<4x4xi4>, tensor<4x1xf32>, tensor<4x1xf32>
// CHECK: return %[[R]]#0
func.func @for_iter_args(%x: tensor<4x4xf32>, %q: tensor<4x4xi4>, %s: tensor<4x1xf32>, %z: tensor<4x1xf32>) -> tensor<4x4xf32> {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c3 = arith.constant 3 : index
  %w = dq.build %q, %s, %z : !dq.weight<[4, 4], bits = 4, group = 4, scale = f32>
  %r:2 = scf.for %i = %c0 to %c3 step %c1 iter_args(%xi = %x, %wi = %w) -> (tensor<4x4xf32>, !dq.weight<[4, 4], bits = 4, group = 4, scale = f32>) {
    %y = dq.matmul %xi, %wi : tensor<4x4xf32>, !dq.weight<[4, 4], bits = 4, group = 4, scale = f32> -> tensor<4x4xf32>
    scf.yield %y, %wi : tensor<4x4xf32>, !dq.weight<[4, 4], bits = 4, group = 4, scale = f32>
  }
  return %r#0 : tensor<4x4xf32>
}

// -----

// An scf.if choosing between two weights yields the parts of either.
// CHECK-LABEL: func.func @if_result
// CHECK-SAME: (%[[C:.*]]: i1, %[[QA:[^:]*]]: tensor<2x4xi8>, %[[SA:[^:]*]]: tensor<2x1xf32>, %[[ZA:[^:]*]]: tensor<2x1xf32>, %[[QB:[^:]*]]: tensor<2x4xi8>, %[[SB:[^:]*]]: tensor<2x1xf32>, %[[ZB:[^:]*]]: tensor<2x1xf32>)
// CHECK: %[[R:.*]]:3 = scf.if %[[C]] -> (tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xf32>) {
// CHECK:   scf.yield %[[QA]], %[[SA]], %[[ZA]]
// CHECK: } else {
// CHECK:   scf.yield %[[QB]], %[[SB]], %[[ZB]]
// CHECK: }
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[R]]#0, %[[R]]#1, %[[R]]#2 :
// CHECK: return %[[F]]
func.func @if_result(%c: i1, %a: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>, %b: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>) -> tensor<2x4xf32> {
  %w = scf.if %c -> !dq.weight<[2, 4], bits = 8, group = 4, scale = f32> {
    scf.yield %a : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  } else {
    scf.yield %b : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  }
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

// scf.while carries the parts through its before and after regions.
// CHECK-LABEL: func.func @while_loop
// CHECK: %[[R:.*]]:4 = scf.while (%{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}, %{{.*}} = %{{.*}}) : (i32, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xf32>) -> (i32, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xf32>)
// CHECK:   scf.condition(%{{.*}}) %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}} : i32, tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xf32>
// CHECK: } do {
// CHECK: ^bb0(%{{.*}}: i32, %[[Q:.*]]: tensor<2x4xi8>, %[[S:.*]]: tensor<2x1xf32>, %[[Z:.*]]: tensor<2x1xf32>):
// CHECK:   scf.yield %{{.*}}, %[[Q]], %[[S]], %[[Z]]
// CHECK-NOT: unrealized_conversion_cast
// CHECK: linalg.generic {{.*}} ins(%[[R]]#1, %[[R]]#2, %[[R]]#3 :
func.func @while_loop(%n: i32, %w: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>) -> tensor<2x4xf32> {
  %c1 = arith.constant 1 : i32
  %i0 = arith.constant 0 : i32
  %r:2 = scf.while (%i = %i0, %v = %w) : (i32, !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>) -> (i32, !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>) {
    %go = arith.cmpi slt, %i, %n : i32
    scf.condition(%go) %i, %v : i32, !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  } do {
  ^bb0(%i: i32, %v: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>):
    %next = arith.addi %i, %c1 : i32
    scf.yield %next, %v : i32, !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>
  }
  %f = dq.dequantize %r#1 : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

// Branches carry the parts to the block arguments of their successors.
// CHECK-LABEL: func.func @branches
// CHECK-SAME: (%[[C:.*]]: i1, %[[Q:[^:]*]]: tensor<2x4xi8>, %[[S:[^:]*]]: tensor<2x1xf32>, %[[Z:[^:]*]]: tensor<2x1xf32>)
// CHECK: cf.cond_br %[[C]], ^bb1(%[[Q]], %[[S]], %[[Z]] : tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xf32>), ^bb2
// CHECK: ^bb1(%[[BQ:.*]]: tensor<2x4xi8>, %[[BS:.*]]: tensor<2x1xf32>, %[[BZ:.*]]: tensor<2x1xf32>):
// CHECK: cf.br ^bb3(%[[BQ]], %[[BS]], %[[BZ]] : tensor<2x4xi8>, tensor<2x1xf32>, tensor<2x1xf32>)
// CHECK: ^bb3(%[[VQ:.*]]: tensor<2x4xi8>, %[[VS:.*]]: tensor<2x1xf32>, %[[VZ:.*]]: tensor<2x1xf32>):
// CHECK: linalg.generic {{.*}} ins(%[[VQ]], %[[VS]], %[[VZ]] :
func.func @branches(%c: i1, %w: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>) -> tensor<2x4xf32> {
  cf.cond_br %c, ^bb1(%w : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>), ^bb2
^bb1(%a: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>):
  cf.br ^bb3(%a : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>)
^bb2:
  cf.br ^bb3(%w : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>)
^bb3(%v: !dq.weight<[2, 4], bits = 8, group = 4, scale = f32>):
  %f = dq.dequantize %v : !dq.weight<[2, 4], bits = 8, group = 4, scale = f32> -> tensor<2x4xf32>
  return %f : tensor<2x4xf32>
}

// -----

// At 3 bits the integer part travels as sign-extended i8 (buffers of i3 are
// rejected by stacks such as IREE): dq.build widens it, dq.split narrows it
// back, and dequantization reads the i8 fields.
// CHECK-LABEL: func.func @three_bit
// CHECK-SAME: (%[[Q:.*]]: tensor<2x8xi8>, %{{.*}}: tensor<2x1xf32>, %{{.*}}: tensor<2x1xf32>, %[[L:.*]]: tensor<2x8xi3>,
// CHECK-SAME: -> (tensor<2x8xi3>, tensor<2x8xf32>)
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%[[Q]] : tensor<2x8xi8>) outs(%{{.*}} : tensor<2x8xi3>)
// CHECK:   arith.trunci %{{.*}} : i8 to i3
// CHECK: %[[W:.*]] = linalg.generic {{.*}} ins(%[[L]] : tensor<2x8xi3>) outs(%{{.*}} : tensor<2x8xi8>)
// CHECK:   arith.extsi %{{.*}} : i3 to i8
// CHECK: %[[F:.*]] = linalg.generic {{.*}} ins(%[[W]], {{.*}} : tensor<2x8xi8>, tensor<2x1xf32>, tensor<2x1xf32>)
// CHECK:   arith.sitofp %{{.*}} : i8 to f32
// CHECK: return %[[N]], %[[F]]
func.func @three_bit(%w: !dq.weight<[2, 8], bits = 3, group = 8, scale = f32>, %q: tensor<2x8xi3>, %s: tensor<2x1xf32>, %z: tensor<2x1xf32>) -> (tensor<2x8xi3>, tensor<2x8xf32>) {
  %q2, %s2, %z2 = dq.split %w : !dq.weight<[2, 8], bits = 3, group = 8, scale = f32>
  %b = dq.build %q, %s, %z : !dq.weight<[2, 8], bits = 3, group = 8, scale = f32>
  %f = dq.dequantize %b : !dq.weight<[2, 8], bits = 3, group = 8, scale = f32> -> tensor<2x8xf32>
  return %q2, %f : tensor<2x8xi3>, tensor<2x8xf32>
}

// -----

// A region that captures the weight from above reads the converted parts.
// CHECK-LABEL: func.func @captured
// CHECK-SAME: (%[[Q:.*]]: tensor<2x4xi2>, %[[S:.*]]: tensor<2x2xf16>, %[[Z:.*]]: tensor<2x2xf16>)
// CHECK: scf.forall
// CHECK:   linalg.generic {{.*}} ins(%[[Q]], %[[S]], %[[Z]] :
func.func @captured(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> tensor<2x4xf32> {
  %e = tensor.empty() : tensor<2x4xf32>
  %r = scf.forall (%i) in (2) shared_outs(%o = %e) -> (tensor<2x4xf32>) {
    %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xf32>
    %row = tensor.extract_slice %f[%i, 0] [1, 4] [1, 1] : tensor<2x4xf32> to tensor<1x4xf32>
    scf.forall.in_parallel {
      tensor.parallel_insert_slice %row into %o[%i, 0] [1, 4] [1, 1] : tensor<1x4xf32> into tensor<2x4xf32>
    }
  }
  return %r : tensor<2x4xf32>
}

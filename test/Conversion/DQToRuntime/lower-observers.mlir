// RUN: dq-opt %s --dq-lower-observers --split-input-file --verify-diagnostics | FileCheck %s

// CHECK-DAG: llvm.mlir.global internal constant @[[FC1:__dq_layer_[0-9]+]]("fc1\00")
// CHECK-DAG: llvm.mlir.global internal constant @[[FC2:__dq_layer_[0-9]+]]("fc2\00")
// CHECK-DAG: func.func private @dqrt_observe_f32(!llvm.ptr, tensor<*xf32> {bufferization.access = "read"}) attributes {llvm.emit_c_interface}
// CHECK-LABEL: func.func @two_layers
// CHECK-SAME: (%[[X:.*]]: tensor<4x8xf32>, %[[H:.*]]: tensor<2x3x6xf16>)
// CHECK: %[[U:.*]] = tensor.cast %[[X]] : tensor<4x8xf32> to tensor<*xf32>
// CHECK: %[[P:.*]] = llvm.mlir.addressof @[[FC1]] : !llvm.ptr
// CHECK: call @dqrt_observe_f32(%[[P]], %[[U]])
// Half-precision inputs are widened (exactly) first.
// CHECK: %[[E:.*]] = arith.extf %[[H]] : tensor<2x3x6xf16> to tensor<2x3x6xf32>
// CHECK: %[[U2:.*]] = tensor.cast %[[E]] : tensor<2x3x6xf32> to tensor<*xf32>
// CHECK: %[[P2:.*]] = llvm.mlir.addressof @[[FC2]] : !llvm.ptr
// CHECK: call @dqrt_observe_f32(%[[P2]], %[[U2]])
// The observed values flow on unchanged.
// CHECK: return %[[X]], %[[H]]
func.func @two_layers(%x: tensor<4x8xf32>, %h: tensor<2x3x6xf16>) -> (tensor<4x8xf32>, tensor<2x3x6xf16>) {
  %a = dq.observe %x layer "fc1" : tensor<4x8xf32>
  %b = dq.observe %h layer "fc2" : tensor<2x3x6xf16>
  return %a, %b : tensor<4x8xf32>, tensor<2x3x6xf16>
}

// -----

// One string per layer name, however often it is observed.
// CHECK-COUNT-1: llvm.mlir.global internal constant @{{.*}}("same\00")
// CHECK-NOT: llvm.mlir.global
func.func @twice(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = dq.observe %x layer "same" : tensor<4x8xf32>
  %b = dq.observe %a layer "same" : tensor<4x8xf32>
  return %b : tensor<4x8xf32>
}

// -----

// A user function of the runtime's name with another type is an error.
// expected-error @below {{'func.func' op conflicts with the dq runtime's dqrt_observe_f32 of type '(!llvm.ptr, tensor<*xf32>) -> ()'}}
func.func private @dqrt_observe_f32(i32)
func.func @clash(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %a = dq.observe %x layer "l" : tensor<4x8xf32>
  return %a : tensor<4x8xf32>
}

// RUN: dq-opt %s --dq-export-abi --split-input-file --verify-diagnostics | FileCheck %s

// Public functions with a body get their tensor-level signature as JSON and a
// C interface; private and external functions are left alone.

// CHECK-LABEL: func.func @forward
// CHECK-SAME: (%{{.*}}: tensor<8x256xf32> {bufferization.writable = false}, %{{.*}}: memref<?x4xbf16>)
// CHECK-SAME: dq.abi = "{\22args\22:[{\22dtype\22:\22f32\22,\22shape\22:[8,256]},{\22dtype\22:\22bf16\22,\22shape\22:[-1,4]}],\22results\22:[{\22dtype\22:\22i64\22,\22shape\22:[]},{\22dtype\22:\22f16\22,\22shape\22:[2]}]}"
// CHECK-SAME: llvm.emit_c_interface
func.func @forward(%x: tensor<8x256xf32>, %y: memref<?x4xbf16>) -> (tensor<i64>, tensor<2xf16>) {
  %a = arith.constant dense<7> : tensor<i64>
  %b = arith.constant dense<1.0> : tensor<2xf16>
  return %a, %b : tensor<i64>, tensor<2xf16>
}

// CHECK-LABEL: func.func private @helper
// CHECK-NOT: dq.abi
func.func private @helper(%x: tensor<2xf32>) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

// CHECK-LABEL: func.func private @external
// CHECK-NOT: dq.abi
func.func private @external(%x: tensor<2xf32>)

// -----

// expected-error @+1 {{'func.func' op argument #1 of type 'tensor<*xf32>' must be a ranked tensor or memref}}
func.func @unranked(%x: tensor<2xf32>, %y: tensor<*xf32>) {
  return
}

// -----

// expected-error @+1 {{'func.func' op result #0 of type 'f32' must be a ranked tensor or memref}}
func.func @scalar_result() -> f32 {
  %c = arith.constant 1.0 : f32
  return %c : f32
}

// -----

// expected-error @+1 {{'func.func' op argument #0 of type 'tensor<2xi16>' has an element type the runtime does not support (f32, f16, bf16, f64, i1, i8, i32, i64)}}
func.func @i16(%x: tensor<2xi16>) {
  return
}

// -----

// expected-error @+1 {{'func.func' op argument #0 of type 'memref<2x2xf32, strided<[1, 2]>>' must have an identity layout}}
func.func @strided(%x: memref<2x2xf32, strided<[1, 2]>>) {
  return
}

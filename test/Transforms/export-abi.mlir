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

// -----

// A tied argument is writable and its signature entry names its result.
// CHECK-LABEL: func.func @decode
// CHECK-SAME: (%{{.*}}: tensor<1xi64> {bufferization.writable = false}, %{{.*}}: tensor<4x8xf32> {bufferization.writable = true, dq.tied_result = 1 : i64})
// CHECK-SAME: dq.abi = "{\22args\22:[{\22dtype\22:\22i64\22,\22shape\22:[1]},{\22dtype\22:\22f32\22,\22shape\22:[4,8],\22tied_result\22:1}],\22results\22:[{\22dtype\22:\22f32\22,\22shape\22:[]},{\22dtype\22:\22f32\22,\22shape\22:[4,8]}]}"
func.func @decode(%pos: tensor<1xi64>, %cache: tensor<4x8xf32> {dq.tied_result = 1 : i64}) -> (tensor<f32>, tensor<4x8xf32>) {
  %c = arith.constant dense<0.0> : tensor<f32>
  return %c, %cache : tensor<f32>, tensor<4x8xf32>
}

// -----

// expected-error @+1 {{'func.func' op argument #0: dq.tied_result must be the index of a result (0 to 0), got 1 : i64}}
func.func @tied_out_of_range(%cache: tensor<4xf32> {dq.tied_result = 1 : i64}) -> tensor<4xf32> {
  return %cache : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op argument #0: dq.tied_result must be the index of a result (0 to 0), got "zero"}}
func.func @tied_not_an_index(%cache: tensor<4xf32> {dq.tied_result = "zero"}) -> tensor<4xf32> {
  return %cache : tensor<4xf32>
}

// -----

// expected-error @+1 {{'func.func' op argument #0 of type 'tensor<4xf32>' cannot be tied to result #0 of type 'tensor<4xf16>': both must be the same ranked tensor}}
func.func @tied_type_mismatch(%cache: tensor<4xf32> {dq.tied_result = 0 : i64}) -> tensor<4xf16> {
  %c = arith.truncf %cache : tensor<4xf32> to tensor<4xf16>
  return %c : tensor<4xf16>
}

// -----

// expected-error @+1 {{'func.func' op arguments #0 and #1 are both tied to result #0}}
func.func @tied_twice(%a: tensor<4xf32> {dq.tied_result = 0 : i64}, %b: tensor<4xf32> {dq.tied_result = 0 : i64}) -> tensor<4xf32> {
  return %a : tensor<4xf32>
}

// -----

// Bounds of an integer argument go into its signature entry.
// CHECK-LABEL: func.func @bounded
// CHECK-SAME: dq.abi = "{\22args\22:[{\22bounds\22:[0,49151],\22dtype\22:\22i64\22,\22shape\22:[1,1]},{\22bounds\22:[-3,-3],\22dtype\22:\22i32\22,\22shape\22:[]}],\22results\22:[{\22dtype\22:\22i64\22,\22shape\22:[1,1]}]}"
func.func @bounded(%ids: tensor<1x1xi64> {dq.bounds = array<i64: 0, 49151>}, %k: tensor<i32> {dq.bounds = array<i64: -3, -3>}) -> tensor<1x1xi64> {
  return %ids : tensor<1x1xi64>
}

// -----

// expected-error @+1 {{'func.func' op argument #0: dq.bounds must be array<i64: lo, hi> with lo <= hi, got array<i64: 5, 4>}}
func.func @bounds_reversed(%ids: tensor<2xi64> {dq.bounds = array<i64: 5, 4>}) -> tensor<2xi64> {
  return %ids : tensor<2xi64>
}

// -----

// expected-error @+1 {{'func.func' op argument #0: dq.bounds must be array<i64: lo, hi> with lo <= hi, got array<i64: 1>}}
func.func @bounds_one_value(%ids: tensor<2xi64> {dq.bounds = array<i64: 1>}) -> tensor<2xi64> {
  return %ids : tensor<2xi64>
}

// -----

// expected-error @+1 {{'func.func' op argument #0 of type 'tensor<2xf32>': dq.bounds applies to tensors of i8, i32 or i64 only}}
func.func @bounds_on_float(%x: tensor<2xf32> {dq.bounds = array<i64: 0, 1>}) -> tensor<2xf32> {
  return %x : tensor<2xf32>
}

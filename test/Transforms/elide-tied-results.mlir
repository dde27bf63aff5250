// RUN: dq-opt %s --dq-export-abi --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --dq-elide-tied-results | FileCheck %s

// Bufferization updates the tied cache in place: the result goes, and the
// signature says where the runtime finds it.
// CHECK-LABEL: func.func @step
// CHECK-SAME: (%[[CACHE:.*]]: memref<4x8xf32> {dq.tied_result = 1 : i64}, %[[ROW:.*]]: memref<1x8xf32>) -> memref<8xf32>
// CHECK-SAME: \22tied_result\22:1
// CHECK-SAME: \22results\22:[{\22dtype\22:\22f32\22,\22shape\22:[8]},{\22dtype\22:\22f32\22,\22in_place\22:true,\22shape\22:[4,8]}]
// CHECK: memref.copy %[[ROW]], %{{.*}}
// CHECK: return %{{.*}} : memref<8xf32>
func.func @step(%cache: tensor<4x8xf32> {dq.tied_result = 1 : i64},
                %row: tensor<1x8xf32>) -> (tensor<8xf32>, tensor<4x8xf32>) {
  %new = tensor.insert_slice %row into %cache[2, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  %zero = arith.constant 0.0 : f32
  %empty = tensor.empty() : tensor<8xf32>
  %init = linalg.fill ins(%zero : f32) outs(%empty : tensor<8xf32>) -> tensor<8xf32>
  %sum = linalg.reduce ins(%new : tensor<4x8xf32>) outs(%init : tensor<8xf32>)
      dimensions = [0]
      (%in: f32, %acc: f32) {
        %s = arith.addf %in, %acc : f32
        linalg.yield %s : f32
      }
  return %sum, %new : tensor<8xf32>, tensor<4x8xf32>
}

// The old value is still needed: the update goes to a new buffer, which
// stays a result (the runtime copies it into the argument).
// CHECK-LABEL: func.func @keep_old
// CHECK-SAME: -> (memref<4x8xf32>, memref<4x8xf32>)
// CHECK-NOT: in_place
// CHECK: return
func.func @keep_old(%cache: tensor<4x8xf32> {dq.tied_result = 1 : i64},
                    %row: tensor<1x8xf32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %new = tensor.insert_slice %row into %cache[0, 0] [1, 8] [1, 1]
      : tensor<1x8xf32> into tensor<4x8xf32>
  return %cache, %new : tensor<4x8xf32>, tensor<4x8xf32>
}

// A function with a caller in the module keeps its signature.
// CHECK-LABEL: func.func @called
// CHECK-SAME: -> memref<4xf32>
// CHECK-NOT: in_place
func.func @called(%cache: tensor<4xf32> {dq.tied_result = 0 : i64}) -> tensor<4xf32> {
  return %cache : tensor<4xf32>
}

func.func private @caller(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = func.call @called(%x) : (tensor<4xf32>) -> tensor<4xf32>
  return %y : tensor<4xf32>
}

// RUN: dq-opt %s --one-shot-bufferize="bufferize-function-boundaries function-boundary-type-conversion=identity-layout-map" --split-input-file | FileCheck %s

// dq.kernel bufferizes through BufferizableOpInterface in destination-
// passing style: the weight's constant blobs become read-only globals that
// the kernel reads in place, the tensor.empty output an allocation that the
// kernel writes, returned as the result's buffer.

// CHECK-LABEL: func.func @constants(
// CHECK-SAME: %[[X:.*]]: memref<6x64xf32>) -> memref<6x32xf32>
// CHECK-DAG: %[[Q:.*]] = memref.get_global @{{.*}} : memref<2x256xi8>
// CHECK-DAG: %[[S:.*]] = memref.get_global @{{.*}} : memref<2x2x16xf16>
// CHECK-DAG: %[[Z:.*]] = memref.get_global @{{.*}} : memref<2x2x16xf16>
// CHECK: %[[Y:.*]] = memref.alloc() {{.*}}: memref<6x32xf32>
// CHECK-NOT: memref.copy
// CHECK: dq.kernel @k {{.*}} ins(%[[X]], %[[Q]], %[[S]], %[[Z]] : memref<6x64xf32>, memref<2x256xi8>, memref<2x2x16xf16>, memref<2x2x16xf16>) outs(%[[Y]] : memref<6x32xf32>){{$}}
// CHECK-NOT: memref.copy
// CHECK: return %[[Y]]
func.func @constants(%x: tensor<6x64xf32>) -> tensor<6x32xf32> {
  %q = arith.constant dense<1> : tensor<2x256xi8>
  %s = arith.constant dense<1.0> : tensor<2x2x16xf16>
  %z = arith.constant dense<0.0> : tensor<2x2x16xf16>
  %e = tensor.empty() : tensor<6x32xf32>
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%e : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r : tensor<6x32xf32>
}

// -----

// An output tensor that is still read afterwards is not overwritten: the
// kernel gets a new buffer, with no copy of the old contents (it writes
// every element and reads none).
// CHECK-LABEL: func.func @output_still_used(
// CHECK-SAME: %[[X:[^:]*]]: memref<6x64xf32>, %[[Q:[^:]*]]: memref<2x256xi8>, %[[S:[^:]*]]: memref<2x2x16xf16>, %[[Z:[^:]*]]: memref<2x2x16xf16>, %[[O:[^:]*]]: memref<6x32xf32>)
// CHECK: %[[Y:.*]] = memref.alloc() {{.*}}: memref<6x32xf32>
// CHECK-NOT: memref.copy
// CHECK: dq.kernel @k {{.*}} outs(%[[Y]] : memref<6x32xf32>)
// CHECK: return %[[Y]], %[[O]]
func.func @output_still_used(%x: tensor<6x64xf32>, %q: tensor<2x256xi8>, %s: tensor<2x2x16xf16>, %z: tensor<2x2x16xf16>, %o: tensor<6x32xf32>) -> (tensor<6x32xf32>, tensor<6x32xf32>) {
  %r = dq.kernel @k #dq_cpu.matmul<weight = !dq.weight<[20, 64], bits = 2, group = 32, scale = f16, layout = #dq_cpu.n16k4>, target = generic, int8 = false, m_block = 8, parallel = true>
      ins(%x, %q, %s, %z : tensor<6x64xf32>, tensor<2x256xi8>, tensor<2x2x16xf16>, tensor<2x2x16xf16>)
      outs(%o : tensor<6x32xf32>) -> tensor<6x32xf32>
  return %r, %o : tensor<6x32xf32>, tensor<6x32xf32>
}

// RUN: dq-opt %s --dq-import-quant="scale-type=f16" | FileCheck %s

// f16 scales: the scales of the type must be f16 values; z = -zp * s is
// rounded once to f16.

// CHECK: dq.constant {{.*}} : !dq.weight<[2, 8], bits = 4, group = 4, scale = f16>
// CHECK: fc2_q: "0x10000000871032EF10325476"
// CHECK: fc2_s: "0x1000000000380030003C0040"
// CHECK: fc2_z: "0x1000000000BE003C000000CB"
func.func @f16_scales() -> tensor<2x8xf32> {
  %q = arith.constant dense<[[7, -8, 0, 1, 2, 3, -1, -2], [0, 1, 2, 3, 4, 5, 6, 7]]> : tensor<2x8xi4> loc("fc2")
  %t = quant.scast %q : tensor<2x8xi4> to tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{0.5:3, 0.125:-8}, {1.0, 2.0:7}}>>
  %d = quant.dcast %t : tensor<2x8x!quant.uniform<i4:f32:{0:1, 1:4}, {{0.5:3, 0.125:-8}, {1.0, 2.0:7}}>> to tensor<2x8xf32>
  return %d : tensor<2x8xf32>
}

// DQPlugin registers dq's passes and pipelines in upstream mlir-opt beside
// upstream's own, which it must not register a second time (that would be
// a fatal error at start-up).
// RUN: mlir-opt --load-dialect-plugin=%dq_plugin --load-pass-plugin=%dq_plugin --help | FileCheck %s
// CHECK-DAG: --dq-cpu-pipeline
// CHECK-DAG: --dq-cuda-pipeline
// CHECK-DAG: --dq-lower-to-linalg
// CHECK-DAG: --dq-quantize
// CHECK-DAG: --dq-pack-weights
// CHECK-DAG: --canonicalize

// The dialect round-trips through upstream mlir-opt.
// RUN: mlir-opt --load-dialect-plugin=%dq_plugin %s | FileCheck %s --check-prefix=ROUNDTRIP
// ROUNDTRIP-LABEL: func.func @weight_arg
// ROUNDTRIP: dq.dequantize %{{.*}} : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16> -> tensor<4x8xf32>
func.func @weight_arg(%w: !dq.weight<[4, 8], bits = 2, group = 4, scale = f16>) -> tensor<4x8xf32> {
  %f = dq.dequantize %w : !dq.weight<[4, 8], bits = 2, group = 4, scale = f16> -> tensor<4x8xf32>
  return %f : tensor<4x8xf32>
}

// Plugin passes are registered after mlir-opt parses its flags, so they are
// named in --pass-pipeline (as upstream's standalone plugin test does).

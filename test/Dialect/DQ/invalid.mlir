// RUN: dq-opt %s --split-input-file --verify-diagnostics

// Weight type parameters.

// expected-error @+1 {{weight shape must be positive, got [0, 8]}}
func.func @zero_rows(%w: !dq.weight<[0, 8], bits = 2, group = 8, scale = f16>)

// -----

// expected-error @+1 {{weight shape must be positive, got [4, -1]}}
func.func @negative_cols(%w: !dq.weight<[4, -1], bits = 2, group = 8, scale = f16>)

// -----

// expected-error @+1 {{unsupported bit width 5; expected 2, 3, 4 or 8}}
func.func @bits5(%w: !dq.weight<[4, 8], bits = 5, group = 8, scale = f16>)

// -----

// expected-error @+1 {{unsupported bit width 1; expected 2, 3, 4 or 8}}
func.func @bits1(%w: !dq.weight<[4, 8], bits = 1, group = 8, scale = f16>)

// -----

// expected-error @+1 {{group size 3 must divide the column count 8 (use group = 8 for per-channel)}}
func.func @group_not_dividing(%w: !dq.weight<[4, 8], bits = 2, group = 3, scale = f16>)

// -----

// expected-error @+1 {{group size 16 must divide the column count 8 (use group = 8 for per-channel)}}
func.func @group_too_large(%w: !dq.weight<[4, 8], bits = 2, group = 16, scale = f16>)

// -----

// expected-error @+1 {{group size 0 must divide the column count 8}}
func.func @group_zero(%w: !dq.weight<[4, 8], bits = 2, group = 0, scale = f16>)

// -----

// expected-error @+1 {{scale type must be f16, bf16 or f32, got 'f64'}}
func.func @scale_f64(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = f64>)

// -----

// expected-error @+1 {{scale type must be f16, bf16 or f32, got 'i8'}}
func.func @scale_int(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = i8>)

// -----

// A layout is an attribute, not a bare name.
// expected-error @+2 {{expected attribute value}}
// expected-error @+1 {{failed to parse DQ_WeightType parameter 'layout'}}
func.func @bad_layout(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = f16, layout = tiled>)

// -----

// expected-error @+2 {{invalid kind of attribute specified}}
// expected-error @+1 {{failed to parse DQ_WeightType parameter 'layout'}}
func.func @not_a_layout(%w: !dq.weight<[4, 8], bits = 2, group = 8, scale = f16, layout = unit>)

// -----

// dq.constant

func.func @inline_literal() {
  // expected-error @+1 {{'dq.constant' op packed must be a dense_resource blob, not an inline literal}}
  %w = dq.constant packed(dense<0> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @inline_scale() {
  // expected-error @+1 {{'dq.constant' op scale must be a dense_resource blob, not an inline literal}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense<1.0> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @inline_offset() {
  // expected-error @+1 {{'dq.constant' op offset must be a dense_resource blob, not an inline literal}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense<0.0> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @packed_shape() {
  // expected-error @+1 {{'dq.constant' op packed type must be 'tensor<2x1xi8>' for '!dq.weight<[2, 4], bits = 2, group = 2, scale = f16>', got 'tensor<2x4xi8>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x4xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @packed_3bit_rounds_up() {
  // 5 columns at 3 bits need ceil(15 / 8) = 2 bytes per row.
  // expected-error @+1 {{'dq.constant' op packed type must be 'tensor<2x2xi8>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x1xf16>)
         offset(dense_resource<z> : tensor<2x1xf16>)
         : !dq.weight<[2, 5], bits = 3, group = 5, scale = f16>
  return
}

// -----

func.func @scale_element_type() {
  // expected-error @+1 {{'dq.constant' op scale type must be 'tensor<2x2xf16>' for '!dq.weight<[2, 4], bits = 2, group = 2, scale = f16>', got 'tensor<2x2xf32>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf32>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @offset_groups() {
  // expected-error @+1 {{'dq.constant' op offset type must be 'tensor<2x2xf16>' for '!dq.weight<[2, 4], bits = 2, group = 2, scale = f16>', got 'tensor<2x1xf16>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x1xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @packed_blob_size() {
  // expected-error @+1 {{'dq.constant' op packed blob 'q' holds 3 bytes; 'tensor<2x1xi8>' needs 2}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B00",
      s: "0x10000000003C0040003C003C",
      z: "0x1000000000000000003C0000"
    }
  }
#-}

// -----

func.func @scale_blob_size() {
  // expected-error @+1 {{'dq.constant' op scale blob 's' holds 6 bytes; 'tensor<2x2xf16>' needs 8}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B",
      s: "0x10000000003C0040003C",
      z: "0x1000000000000000003C0000"
    }
  }
#-}

// -----

func.func @offset_blob_size() {
  // expected-error @+1 {{'dq.constant' op offset blob 'z' holds 0 bytes; 'tensor<2x2xf16>' needs 8}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x1xi8>)
         scale(dense_resource<s> : tensor<2x2xf16>)
         offset(dense_resource<z> : tensor<2x2xf16>)
         : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}
{-#
  dialect_resources: {
    builtin: {
      q: "0x100000004E1B",
      s: "0x10000000003C0040003C003C",
      z: "0x10000000"
    }
  }
#-}

// -----

// dq.build: operand types follow from the weight type.

func.func @build_q_width(%q: tensor<2x4xi4>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  // expected-error @+1 {{'dq.build' op failed to verify that q type matches the weight type}}
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi4>, tensor<2x2xf16>, tensor<2x2xf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @build_scale_groups(%q: tensor<2x4xi2>, %s: tensor<2x4xf16>, %z: tensor<2x2xf16>) {
  // expected-error @+1 {{'dq.build' op failed to verify that scale type matches the weight type}}
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi2>, tensor<2x4xf16>, tensor<2x2xf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @build_offset_type(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xbf16>) {
  // expected-error @+1 {{'dq.build' op failed to verify that offset type matches the weight type}}
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xbf16>) -> !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @build_custom_form_mismatch(%q: tensor<2x4xi4>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  // expected-error @+2 {{use of value '%q' expects different type than prior uses: 'tensor<2x4xi2>' vs 'tensor<2x4xi4>'}}
  // expected-note @-2 {{prior use here}}
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>
  return
}

// -----

func.func @build_result_not_weight(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  // expected-error @+1 {{'dq.build' op result #0 must be dq weight, but got 'tensor<2x4xf32>'}}
  %w = "dq.build"(%q, %s, %z) : (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>) -> tensor<2x4xf32>
  return
}

// -----

// dq.split

func.func @split_result_types(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+2 {{'dq.split' op inferred type(s) 'tensor<2x4xi2>', 'tensor<2x2xf16>', 'tensor<2x2xf16>' are incompatible with return type(s) of operation 'tensor<2x4xi8>', 'tensor<2x2xf16>', 'tensor<2x2xf16>'}}
  // expected-error @+1 {{'dq.split' op failed to infer returned types}}
  %q, %s, %z = "dq.split"(%w) : (!dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) -> (tensor<2x4xi8>, tensor<2x2xf16>, tensor<2x2xf16>)
  return
}

// -----

func.func @split_operand(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{'dq.split' op operand #0 must be dq weight, but got 'tensor<2x4xf32>'}}
  %q, %s, %z = "dq.split"(%x) : (tensor<2x4xf32>) -> (tensor<2x4xi2>, tensor<2x2xf16>, tensor<2x2xf16>)
  return
}

// -----

// dq.dequantize

func.func @dequantize_int_result(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.dequantize' op result element type must be f32, f16 or bf16, got 'i32'}}
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<2x4xi32>
  return
}

// -----

func.func @dequantize_shape(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.dequantize' op result shape must be [2, 4] for '!dq.weight<[2, 4], bits = 2, group = 2, scale = f16>', got 'tensor<4x2xf32>'}}
  %f = dq.dequantize %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<4x2xf32>
  return
}

// -----

// dq.matmul

func.func @matmul_int_activation(%x: tensor<3x4xi8>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op activation element type must be f32, f16 or bf16, got 'i8'}}
  %y = dq.matmul %x, %w : tensor<3x4xi8>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xi8>
  return
}

// -----

func.func @matmul_scalar(%x: tensor<f32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op activation must have rank >= 1}}
  %y = dq.matmul %x, %w : tensor<f32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<f32>
  return
}

// -----

func.func @matmul_k(%x: tensor<3x5xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op activation's last dimension must be K = 4, got 5}}
  %y = dq.matmul %x, %w : tensor<3x5xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_dynamic_k(%x: tensor<3x?xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op activation's last dimension must be K = 4, got ?}}
  %y = dq.matmul %x, %w : tensor<3x?xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_result_element(%x: tensor<3x4xf16>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op result element type 'f32' must match the activation's 'f16'}}
  %y = dq.matmul %x, %w : tensor<3x4xf16>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x2xf32>
  return
}

// -----

func.func @matmul_result_n(%x: tensor<3x4xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op result type must be 'tensor<3x2xf32>' (leading dimensions of the activation, then N = 2), got 'tensor<3x4xf32>'}}
  %y = dq.matmul %x, %w : tensor<3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<3x4xf32>
  return
}

// -----

func.func @matmul_result_batch(%x: tensor<?x3x4xf32>, %w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16>) {
  // expected-error @+1 {{'dq.matmul' op result type must be 'tensor<?x3x2xf32>' (leading dimensions of the activation, then N = 2), got 'tensor<5x3x2xf32>'}}
  %y = dq.matmul %x, %w : tensor<?x3x4xf32>, !dq.weight<[2, 4], bits = 2, group = 2, scale = f16> -> tensor<5x3x2xf32>
  return
}

// -----

func.func @matmul_weight_operand(%x: tensor<3x4xf32>, %w: tensor<2x4xf32>) {
  // expected-error @+1 {{'dq.matmul' op operand #1 must be dq weight, but got 'tensor<2x4xf32>'}}
  %y = "dq.matmul"(%x, %w) : (tensor<3x4xf32>, tensor<2x4xf32>) -> tensor<3x2xf32>
  return
}

// -----

// dq.observe

func.func @observe_int(%x: tensor<3x4xi32>) {
  // expected-error @+1 {{'dq.observe' op observed element type must be f32, f16 or bf16, got 'i32'}}
  %y = dq.observe %x layer "fc" : tensor<3x4xi32>
  return
}

// -----

func.func @observe_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'dq.observe' op observed value must have rank >= 1}}
  %y = dq.observe %x layer "fc" : tensor<f32>
  return
}

// -----

func.func @observe_empty_name(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'dq.observe' op layer name must not be empty}}
  %y = dq.observe %x layer "" : tensor<3x4xf32>
  return
}

// -----

func.func @observe_result_type(%x: tensor<3x4xf32>) {
  // expected-error @+1 {{'dq.observe' op failed to verify that all of {input, result} have same type}}
  %y = "dq.observe"(%x) <{layer = "fc"}> : (tensor<3x4xf32>) -> tensor<3x4xf16>
  return
}

// -----

func.func @split_custom_not_weight(%x: tensor<2x4xf32>) {
  // expected-error @+1 {{expected a !dq.weight operand}}
  %q, %s, %z = dq.split %x : tensor<2x4xf32>
  return
}

// -----

// n16k4: 20 rows make 2 tiles; 2-bit groups of 8 pad to 16 columns, so a
// tile holds 2 groups x 64 bytes.
func.func @n16k4_packed_shape() {
  // expected-error @+1 {{'dq.constant' op packed type must be 'tensor<2x128xi8>' for '!dq.weight<[20, 16], bits = 2, group = 8, scale = f16, layout = #dq_cpu.n16k4>', got 'tensor<20x4xi8>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<20x4xi8>)
         scale(dense_resource<s> : tensor<2x2x16xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 16], bits = 2, group = 8, scale = f16, layout = #dq_cpu.n16k4>
  return
}

// -----

func.func @n16k4_scale_shape() {
  // expected-error @+1 {{'dq.constant' op scale type must be 'tensor<2x2x16xf16>' for '!dq.weight<[20, 16], bits = 2, group = 8, scale = f16, layout = #dq_cpu.n16k4>', got 'tensor<20x2xf16>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<2x128xi8>)
         scale(dense_resource<s> : tensor<20x2xf16>)
         offset(dense_resource<z> : tensor<2x2x16xf16>)
         : !dq.weight<[20, 16], bits = 2, group = 8, scale = f16, layout = #dq_cpu.n16k4>
  return
}

// -----

// gpu_chunked: per-channel 3-bit rows of 100 columns pad to 128, four
// 12-byte chunks: 48 bytes per row.
func.func @gpu_chunked_packed_shape() {
  // expected-error @+1 {{'dq.constant' op packed type must be 'tensor<5x48xi8>' for '!dq.weight<[5, 100], bits = 3, group = 100, scale = bf16, layout = #dq_gpu.chunked>', got 'tensor<5x38xi8>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<5x38xi8>)
         scale(dense_resource<s> : tensor<5x1xbf16>)
         offset(dense_resource<z> : tensor<5x1xbf16>)
         : !dq.weight<[5, 100], bits = 3, group = 100, scale = bf16, layout = #dq_gpu.chunked>
  return
}

// -----

// gpu_chunked keeps scale and offset row-major.
func.func @gpu_chunked_scale_shape() {
  // expected-error @+1 {{'dq.constant' op offset type must be 'tensor<4x2xf16>' for '!dq.weight<[4, 128], bits = 2, group = 64, scale = f16, layout = #dq_gpu.chunked>', got 'tensor<1x2x16xf16>'}}
  %w = dq.constant packed(dense_resource<q> : tensor<4x32xi8>)
         scale(dense_resource<s> : tensor<4x2xf16>)
         offset(dense_resource<z> : tensor<1x2x16xf16>)
         : !dq.weight<[4, 128], bits = 2, group = 64, scale = f16, layout = #dq_gpu.chunked>
  return
}

// -----

func.func @build_n16k4(%q: tensor<2x4xi2>, %s: tensor<2x2xf16>, %z: tensor<2x2xf16>) {
  // expected-error @+1 {{'dq.build' op needs a row_major weight; layout n16k4 exists only in dq.constant (written by --dq-pack-weights)}}
  %w = dq.build %q, %s, %z : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16, layout = #dq_cpu.n16k4>
  return
}

// -----

func.func @split_n16k4(%w: !dq.weight<[2, 4], bits = 2, group = 2, scale = f16, layout = #dq_cpu.n16k4>) {
  // expected-error @+1 {{'dq.split' op needs a row_major weight; layout n16k4 exists only in dq.constant (written by --dq-pack-weights)}}
  %q, %s, %z = dq.split %w : !dq.weight<[2, 4], bits = 2, group = 2, scale = f16, layout = #dq_cpu.n16k4>
  return
}

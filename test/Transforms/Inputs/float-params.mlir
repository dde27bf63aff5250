// Float parameters as a PyTorch export holds them: arith.constant
// dense_resource<NAME> with NAME the parameter's name. The norm weight is
// used by two functions; the others are a rank-2 and a rank-0 tensor, an
// f32 tensor no checkpoint names, an f16 tensor and a dense literal.
module {
  func.func @norm(%x: tensor<4xf32>) -> tensor<4xf32> {
    %w = arith.constant dense_resource<model.layers.0.input_layernorm.weight> : tensor<4xf32>
    %0 = arith.mulf %x, %w : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  func.func @norm_again(%x: tensor<4xf32>) -> tensor<4xf32> {
    %w = arith.constant dense_resource<model.layers.0.input_layernorm.weight> : tensor<4xf32>
    %0 = arith.addf %x, %w : tensor<4xf32>
    return %0 : tensor<4xf32>
  }
  func.func @others() -> (tensor<2x3xf32>, tensor<f32>, tensor<3xf32>, tensor<4xf16>, tensor<2xf32>) {
    %a = arith.constant dense_resource<model.proj.bias> : tensor<2x3xf32>
    %b = arith.constant dense_resource<model.scale> : tensor<f32>
    %c = arith.constant dense_resource<model.norm.weight> : tensor<3xf32>
    %d = arith.constant dense_resource<model.half> : tensor<4xf16>
    %e = arith.constant dense<1.000000e+00> : tensor<2xf32>
    return %a, %b, %c, %d, %e : tensor<2x3xf32>, tensor<f32>, tensor<3xf32>, tensor<4xf16>, tensor<2xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      model.layers.0.input_layernorm.weight: "0x040000000000803F000000400000404000008040",
      model.proj.bias: "0x040000000000003F0000803F0000C03F000000400000204000004040",
      model.scale: "0x040000000000803F",
      model.norm.weight: "0x040000000000803F0000004000004040",
      model.half: "0x02000000003C003C003C003C"
    }
  }
#-}

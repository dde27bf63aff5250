// Exported by scripts/export_torch.py with torch 2.15.0+cu132.
#map = affine_map<(d0, d1) -> (d1)>
#map1 = affine_map<(d0, d1) -> (d0, d1)>
#map2 = affine_map<(d0, d1, d2) -> (d0, d1, d2)>
module {
  func.func @forward(%arg0: tensor<3x5x8xf32>) -> tensor<3x5x4xf32> {
    %cst = arith.constant 0.000000e+00 : f32
    %cst_0 = arith.constant dense_resource<fc2> : tensor<4x6xf32>
    %cst_1 = arith.constant dense_resource<fc1.bias> : tensor<6xf32>
    %cst_2 = arith.constant dense_resource<fc1> : tensor<6x8xf32>
    %collapsed = tensor.collapse_shape %arg0 [[0, 1], [2]] : tensor<3x5x8xf32> into tensor<15x8xf32>
    %0 = tensor.empty() : tensor<8x6xf32>
    %transposed = linalg.transpose ins(%cst_2 : tensor<6x8xf32>) outs(%0 : tensor<8x6xf32>) permutation = [1, 0] 
    %1 = tensor.empty() : tensor<15x6xf32>
    %2 = linalg.fill ins(%cst : f32) outs(%1 : tensor<15x6xf32>) -> tensor<15x6xf32>
    %3 = linalg.matmul ins(%collapsed, %transposed : tensor<15x8xf32>, tensor<8x6xf32>) outs(%2 : tensor<15x6xf32>) -> tensor<15x6xf32>
    %4 = linalg.generic {indexing_maps = [#map, #map1], iterator_types = ["parallel", "parallel"]} ins(%cst_1 : tensor<6xf32>) outs(%1 : tensor<15x6xf32>) {
    ^bb0(%in: f32, %out: f32):
      linalg.yield %in : f32
    } -> tensor<15x6xf32>
    %5 = linalg.generic {indexing_maps = [#map1, #map1, #map1], iterator_types = ["parallel", "parallel"]} ins(%3, %4 : tensor<15x6xf32>, tensor<15x6xf32>) outs(%1 : tensor<15x6xf32>) {
    ^bb0(%in: f32, %in_6: f32, %out: f32):
      %12 = arith.addf %in, %in_6 : f32
      linalg.yield %12 : f32
    } -> tensor<15x6xf32>
    %expanded = tensor.expand_shape %5 [[0, 1], [2]] output_shape [3, 5, 6] : tensor<15x6xf32> into tensor<3x5x6xf32>
    %6 = tensor.empty() : tensor<3x5x6xf32>
    %7 = linalg.generic {indexing_maps = [#map2, #map2], iterator_types = ["parallel", "parallel", "parallel"]} ins(%expanded : tensor<3x5x6xf32>) outs(%6 : tensor<3x5x6xf32>) {
    ^bb0(%in: f32, %out: f32):
      %12 = arith.cmpf ugt, %in, %cst : f32
      %13 = arith.select %12, %in, %cst : f32
      linalg.yield %13 : f32
    } -> tensor<3x5x6xf32>
    %8 = tensor.empty() : tensor<6x4xf32>
    %transposed_3 = linalg.transpose ins(%cst_0 : tensor<4x6xf32>) outs(%8 : tensor<6x4xf32>) permutation = [1, 0] 
    %collapsed_4 = tensor.collapse_shape %7 [[0, 1], [2]] : tensor<3x5x6xf32> into tensor<15x6xf32>
    %9 = tensor.empty() : tensor<15x4xf32>
    %10 = linalg.fill ins(%cst : f32) outs(%9 : tensor<15x4xf32>) -> tensor<15x4xf32>
    %11 = linalg.matmul ins(%collapsed_4, %transposed_3 : tensor<15x6xf32>, tensor<6x4xf32>) outs(%10 : tensor<15x4xf32>) -> tensor<15x4xf32>
    %expanded_5 = tensor.expand_shape %11 [[0, 1], [2]] output_shape [3, 5, 4] : tensor<15x4xf32> into tensor<3x5x4xf32>
    return %expanded_5 : tensor<3x5x4xf32>
  }
}

{-#
  dialect_resources: {
    builtin: {
      fc2: "0x04000000AC258C3E892576BE04CD9B3D8A0EA2BEFCDE90BEB1F457BE98273D3E251F283E79A177BEE996FC3DE67E653E0D0F53BDED627F3C01BAC13D4DAC813EE9B3C83E0214A1BE893319BEDC4B243E9D2FAD3EBAE4B53ED76EB83E0365A63D4DC3B5BE",
      fc1.bias: "0x04000000F68F20BEF20251BCB38B673E12F5B33ECBAF0F3EA6A2433D",
      fc1: "0x0400000022792DBB9C36423EB1FC94BE1D3885BED6700BBEAB2AC23D578AE5BB40878F3EDE8300BD9799BF3D5DD3DABD1B548EBDC2EFACBE90C56FBE9F3D15BE4C94563C6B200F3E403B593EDE7075BE86A71DBEA77F033EF750963EE70395BD7A75873E1E6B69BD353C193DA1E8A33E20EDA7BEC5EA63BEAC4FB7BD661F0DBE9E669C3E85AA6ABE86A826BE53EF7CBE2089A9BE2D5653BE979A9B3E5E8C213E5F782F3E4952983C7B9C39BE6E01753D4D04A9BE68CC82BE4CA43ABE876C643E5D45543E"
    }
  }
#-}

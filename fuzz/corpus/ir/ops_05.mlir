func.func @matmul(%w: !dq.weight<[64, 128], bits = 2, group = 32, scale = f16>,
                  %v: tensor<128xf32>, %x: tensor<?x3x128xf16>, %b: tensor<4x128xbf16>)
    -> (tensor<64xf32>, tensor<?x3x64xf16>, tensor<4x64xbf16>) {
  %0 = dq.matmul %v, %w : tensor<128xf32>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<64xf32>
  %1 = dq.matmul %x, %w : tensor<?x3x128xf16>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<?x3x64xf16>
  %2 = dq.matmul %b, %w : tensor<4x128xbf16>, !dq.weight<[64, 128], bits = 2, group = 32, scale = f16> -> tensor<4x64xbf16>
  return %0, %1, %2 : tensor<64xf32>, tensor<?x3x64xf16>, tensor<4x64xbf16>
}

// Returns its arguments, so dq-run prints exactly what it was given:
// print-numpy.test compares that text with numpy's own printing.
func.func @echo(%a: tensor<2x3x4xf32>, %b: tensor<6xf64>, %c: tensor<2x5xf16>,
                %d: tensor<7xi8>, %e: tensor<3xi64>, %f: tensor<5xi1>,
                %g: tensor<40x30xf32>, %h: tensor<f32>, %i: tensor<1x30xf64>,
                %j: tensor<6xf32>, %k: tensor<4x5x6x7xi32>)
    -> (tensor<2x3x4xf32>, tensor<6xf64>, tensor<2x5xf16>, tensor<7xi8>,
        tensor<3xi64>, tensor<5xi1>, tensor<40x30xf32>, tensor<f32>,
        tensor<1x30xf64>, tensor<6xf32>, tensor<4x5x6x7xi32>) {
  return %a, %b, %c, %d, %e, %f, %g, %h, %i, %j, %k
      : tensor<2x3x4xf32>, tensor<6xf64>, tensor<2x5xf16>, tensor<7xi8>,
        tensor<3xi64>, tensor<5xi1>, tensor<40x30xf32>, tensor<f32>,
        tensor<1x30xf64>, tensor<6xf32>, tensor<4x5x6x7xi32>
}

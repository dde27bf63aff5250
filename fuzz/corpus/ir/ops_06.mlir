func.func @observe(%x: tensor<?x128xf32>) -> tensor<?x128xf32> {
  %0 = dq.observe %x layer "blocks.0.fc1" : tensor<?x128xf32>
  return %0 : tensor<?x128xf32>
}

{-#
  dialect_resources: {
    builtin: {
      fc1_q: "0x100000004E1B",
      fc1_s: "0x10000000003C0040003C003C",
      fc1_z: "0x1000000000000000003C0000"
    }
  }
#-}

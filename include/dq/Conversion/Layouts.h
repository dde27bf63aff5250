//===- Layouts.h - the backends' weight layouts -----------------*- C++ -*-===//
//
// Each backend defines the layouts its kernels read in a small dialect of
// its own (the dq dialect defines row_major only). Registering one also
// loads it whenever dq is loaded, so passes find its layouts by name.
//
//===----------------------------------------------------------------------===//

#ifndef DQ_CONVERSION_LAYOUTS_H
#define DQ_CONVERSION_LAYOUTS_H

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::dq {

/// dq_cpu (lib/Conversion/DQToCPU): #dq_cpu.n16k4.
void registerCPULayouts(DialectRegistry &registry);

/// dq_gpu (lib/Conversion/DQToGPU): #dq_gpu.chunked.
void registerGPULayouts(DialectRegistry &registry);

} // namespace mlir::dq

#endif // DQ_CONVERSION_LAYOUTS_H

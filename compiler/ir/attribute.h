// Node attributes: common/attribute.h (shared with common/kernels), under the IR's names.
#ifndef OPENBPU_COMPILER_IR_ATTRIBUTE_H_
#define OPENBPU_COMPILER_IR_ATTRIBUTE_H_

#include "common/attribute.h"

namespace openbpu::ir {

using ::openbpu::AttributeMap;
using ::openbpu::AttrKind;
using ::openbpu::AttrKindName;
using ::openbpu::AttrValue;
using ::openbpu::AttrValueToString;
using ::openbpu::KindOf;

}  // namespace openbpu::ir

#endif  // OPENBPU_COMPILER_IR_ATTRIBUTE_H_

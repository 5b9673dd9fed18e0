#include "identity/identifier_types.h"

#include <gtest/gtest.h>

#include "identity/internal/identifier_index.h"

#include <gtest/gtest.h>

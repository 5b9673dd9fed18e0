#include "identity/graph.h"

#include <gtest/gtest.h>

// SPDX-License-Identifier: Apache-2.0
// NSTOPO_UNDER_ASAN is defined when AddressSanitizer instruments the build. It reserves
// terabytes of address space up front, so tests that cap a child's memory with RLIMIT_AS skip
// that cap there (and keep their CPU cap).
#pragma once

#if defined(__SANITIZE_ADDRESS__)
#define NSTOPO_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NSTOPO_UNDER_ASAN 1
#endif
#endif

// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <optional>
#include <string>

#include "nstopo/model/topology.h"

/// A service's definition as text (JSON), kept beside its pid file so that a rollback can start
/// a service the failed run stopped exactly as it ran before: the file that defined it may
/// already say something else.
namespace nstopo::services {

/// command, env, cwd and readiness; `after` and source places are left out (a restore starts
/// the services in the order the run stopped them, which was already their `after` order).
[[nodiscard]] std::string definitionText(const model::Service& service);

/// The definition back, named `name`; nullopt when the text is not one definitionText wrote.
[[nodiscard]] std::optional<model::Service> parseDefinition(const std::string& name,
                                                            const std::string& text);

}  // namespace nstopo::services

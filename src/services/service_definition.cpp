// SPDX-License-Identifier: Apache-2.0
#include "nstopo/services/service_definition.h"

#include <nlohmann/json.hpp>

namespace nstopo::services {

std::string definitionText(const model::Service& service) {
  nlohmann::json json = {{"command", service.command}, {"env", service.env}, {"cwd", service.cwd}};
  if (service.ready) {
    nlohmann::json ready = {{"timeout_ms", service.ready->timeout_ms}};
    if (service.ready->tcp_port) {
      ready["tcp"] = *service.ready->tcp_port;
    } else {
      ready["command"] = service.ready->command;
    }
    json["ready"] = std::move(ready);
  }
  return json.dump() + "\n";
}

std::optional<model::Service> parseDefinition(const std::string& name, const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!json.is_object() || !json.contains("command") || !json["command"].is_array() ||
      json["command"].empty()) {
    return std::nullopt;
  }
  try {
    model::Service service;
    service.name = name;
    service.command = json.at("command").get<std::vector<std::string>>();
    service.env = json.value("env", std::map<std::string, std::string>{});
    service.cwd = json.value("cwd", std::string());
    if (json.contains("ready")) {
      const auto& ready = json.at("ready");
      model::Readiness readiness;
      readiness.timeout_ms = ready.at("timeout_ms").get<int>();
      if (ready.contains("tcp")) {
        readiness.tcp_port = ready.at("tcp").get<int>();
      } else {
        readiness.command = ready.at("command").get<std::vector<std::string>>();
      }
      service.ready = std::move(readiness);
    }
    return service;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

}  // namespace nstopo::services

// Which iothread an attached disk runs on (<driver iothread=N>): the request's --iothread,
// refused where libvirt could not honour it, or else the config's default where it fits.
#pragma once

#include <cstdint>
#include <volcrypt/types.hpp>

#include "domain/scope.hpp"
#include "operations/engine_context.hpp"

namespace volcrypt {

// Checks what needs no libvirt: an id from 1 and bus virtio. Throws Error(usage).
void validate_iothread_request(const AttachRequest& request);

// The iothread for this attach; 0: none. An explicit iothread the domain lacks (in any
// definition in scope) is Error(usage); a config default that cannot apply (another bus,
// no such iothread) is skipped with an info log line, so the attach goes on as before.
uint32_t choose_iothread(EngineContext& context, const AttachRequest& request, ResolvedScope scope);

}  // namespace volcrypt

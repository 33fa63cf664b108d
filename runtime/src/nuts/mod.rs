//! The No-U-Turn sampler (Hoffman & Gelman 2014; Betancourt 2017) as Stan runs it.

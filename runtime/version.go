package runtime

// SupportPackageIsVersion1 is referenced by code that actorgen generates, as
//
//	const _ = runtime.SupportPackageIsVersion1
//
// A runtime that no longer supports the code of an older generator drops the
// constant (and a newer generator refers to SupportPackageIsVersion2), so a
// mismatch is a short compile error naming the version: "undefined:
// runtime.SupportPackageIsVersion1". Regenerate with the actorgen of the
// runtime's module to fix it.
const SupportPackageIsVersion1 = true

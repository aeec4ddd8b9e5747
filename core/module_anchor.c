/* core/module_anchor.c — compiled into every module library so that each
 * static library exists (and carries its name) even while a module is small. */
#if defined(CLNSCL_MODULE_core)
const char clnscl_module_core[] = "core";
#elif defined(CLNSCL_MODULE_bounds)
const char clnscl_module_bounds[] = "bounds";
#elif defined(CLNSCL_MODULE_sim)
const char clnscl_module_sim[] = "sim";
#elif defined(CLNSCL_MODULE_train)
const char clnscl_module_train[] = "train";
#else
const char clnscl_module_other[] = "other";
#endif

/** Hard bounds on every count the parser and translator accept (bad input cannot blow up time or memory). */
export const LIMITS = {
  /** Maximum text length in characters (largest real shader text seen: 12.7 KB). */
  maxTextLength: 1 << 20,
  maxLineLength: 4096,
  maxLines: 65536,
  /** Highest register index accepted in any file. */
  maxRegisterIndex: 4095,
  /** Highest index for IN/OUT registers. */
  maxIoIndex: 63,
  maxSamplerIndex: 31,
  maxAddrIndex: 3,
  maxImmediates: 4096,
  maxInstructions: 32768,
  maxDeclarations: 4096,
  maxNesting: 64,
  maxLabel: 1 << 20,
  maxPropertyValueLength: 64,
} as const;

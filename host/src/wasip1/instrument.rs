//! Makes a module's `memory.atomic.wait32/64` interruptible.
//!
//! A thread parked in `memory.atomic.wait` sleeps inside wasmtime until
//! another thread notifies its address; epochs do not reach it, and the host
//! cannot know which addresses are waited on. So before compiling a
//! wasi-threads module the host replaces each wait instruction with a call
//! to an imported host function of the same type, which waits on the same
//! shared memory (so `memory.atomic.notify` still wakes it) in slices,
//! checking between slices whether the run was stopped.
//!
//! One import is added per distinct (width, offset) pair, since the call
//! cannot carry the instruction's static offset: `portalis:wasi-threads`
//! `wait32@OFFSET` and `wait64@OFFSET`. Function indices at or past the
//! first defined function shift by the number of imports added.

use std::collections::BTreeSet;

use wasm_encoder::reencode::{self, Reencode};
use wasmparser::{Operator, Parser, Payload, TypeRef};

/// The import module of the injected wait functions.
pub(crate) const WAIT_MODULE: &str = "portalis:wasi-threads";

/// A wait instruction to replace: 32 or 64 bits, and its static offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) struct WaitSite {
    pub(crate) wide: bool,
    pub(crate) offset: u64,
}

impl WaitSite {
    pub(crate) fn import_name(self) -> String {
        format!("wait{}@{}", if self.wide { 64 } else { 32 }, self.offset)
    }
}

/// The module, rewritten, and the wait sites it now imports.
pub(crate) struct Instrumented {
    pub(crate) bytes: Vec<u8>,
    pub(crate) sites: Vec<WaitSite>,
}

/// Rewrites every `memory.atomic.wait` on memory 0 into a call.
pub(crate) fn instrument(module: &[u8]) -> Result<Instrumented, String> {
    let (sites, imported_funcs, type_count) = scan(module)?;
    if sites.is_empty() {
        return Ok(Instrumented {
            bytes: module.to_vec(),
            sites: Vec::new(),
        });
    }
    if type_count == 0 {
        return Err("a module with wait instructions but no type section".into());
    }
    let sites: Vec<WaitSite> = sites.into_iter().collect();
    let mut rewriter = Rewriter {
        sites: sites.clone(),
        imported_funcs,
        type_count,
    };
    let mut out = wasm_encoder::Module::new();
    rewriter
        .parse_core_module(&mut out, Parser::new(0), module)
        .map_err(|e| format!("cannot rewrite the module: {e}"))?;
    Ok(Instrumented {
        bytes: out.finish(),
        sites,
    })
}

/// The wait sites, the number of imported functions, and of types.
fn scan(module: &[u8]) -> Result<(BTreeSet<WaitSite>, u32, u32), String> {
    let mut sites = BTreeSet::new();
    let mut imported_funcs = 0;
    let mut type_count = 0;
    for payload in Parser::new(0).parse_all(module) {
        match payload.map_err(|e| e.to_string())? {
            Payload::TypeSection(s) => type_count = s.count(),
            Payload::ImportSection(s) => {
                for imports in s {
                    for import in imports.map_err(|e| e.to_string())? {
                        let (_, import) = import.map_err(|e| e.to_string())?;
                        if matches!(import.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                            imported_funcs += 1;
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader().map_err(|e| e.to_string())?;
                while !ops.eof() {
                    match ops.read().map_err(|e| e.to_string())? {
                        Operator::MemoryAtomicWait32 { memarg } if memarg.memory == 0 => {
                            sites.insert(WaitSite {
                                wide: false,
                                offset: memarg.offset,
                            });
                        }
                        Operator::MemoryAtomicWait64 { memarg } if memarg.memory == 0 => {
                            sites.insert(WaitSite {
                                wide: true,
                                offset: memarg.offset,
                            });
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok((sites, imported_funcs, type_count))
}

struct Rewriter {
    sites: Vec<WaitSite>,
    imported_funcs: u32,
    type_count: u32,
}

impl Rewriter {
    /// The function index of the import for `site`.
    fn import_index(&self, site: WaitSite) -> u32 {
        let i = self
            .sites
            .iter()
            .position(|s| *s == site)
            .expect("a scanned site");
        self.imported_funcs + i as u32
    }
}

impl Reencode for Rewriter {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, reencode::Error<Self::Error>> {
        Ok(if func >= self.imported_funcs {
            func + self.sites.len() as u32
        } else {
            func
        })
    }

    fn parse_type_section(
        &mut self,
        types: &mut wasm_encoder::TypeSection,
        section: wasmparser::TypeSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_type_section(self, types, section)?;
        use wasm_encoder::ValType::{I32, I64};
        // type_count: wait32 (i32, i32, i64) -> i32; type_count + 1: wait64.
        types.ty().function([I32, I32, I64], [I32]);
        types.ty().function([I32, I64, I64], [I32]);
        Ok(())
    }

    fn parse_import_section(
        &mut self,
        imports: &mut wasm_encoder::ImportSection,
        section: wasmparser::ImportSectionReader<'_>,
    ) -> Result<(), reencode::Error<Self::Error>> {
        reencode::utils::parse_import_section(self, imports, section)?;
        for site in &self.sites {
            let ty = self.type_count + u32::from(site.wide);
            imports.import(
                WAIT_MODULE,
                &site.import_name(),
                wasm_encoder::EntityType::Function(ty),
            );
        }
        Ok(())
    }

    fn instruction<'a>(
        &mut self,
        op: Operator<'a>,
    ) -> Result<wasm_encoder::Instruction<'a>, reencode::Error<Self::Error>> {
        match op {
            Operator::MemoryAtomicWait32 { memarg } if memarg.memory == 0 => Ok(
                wasm_encoder::Instruction::Call(self.import_index(WaitSite {
                    wide: false,
                    offset: memarg.offset,
                })),
            ),
            Operator::MemoryAtomicWait64 { memarg } if memarg.memory == 0 => Ok(
                wasm_encoder::Instruction::Call(self.import_index(WaitSite {
                    wide: true,
                    offset: memarg.offset,
                })),
            ),
            op => reencode::utils::instruction(self, op),
        }
    }
}

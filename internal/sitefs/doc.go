// Package sitefs owns writing a directory atomically: a new tree is built
// in a temporary directory beside the target, made durable, and swapped in
// for the previous one, so that the target is at every instant the
// complete previous tree or the complete new one. Snapshots and sites are
// written through it.
//
// # Files
//
// A [Dir] writes each file once ([Dir.Write]); a file whose bytes equal
// those of the same path in the previous tree is hard-linked from it
// instead, so it keeps its inode and modification time and incremental
// runs touch only real changes. [Dir.WriteShared] also links files of the
// new tree that hold the same bytes to each other. [Dir.Carry] links
// files the caller knows to be unchanged from the previous tree without
// reading them, one system call each; the previous tree is only read
// until Commit, so it stays complete whatever happens. With
// [Options.Spare], the tree a Commit replaces is kept beside the target
// as ".<base>.spare" instead of being removed, and Carry moves whole
// directories the caller knows to be unchanged from there with one
// rename each (see spare.go). All file system access
// goes through [os.Root]: nothing is written outside the target's parent,
// and only inside the temporary and target directories there.
//
// # Durability
//
// When [Dir.Commit] returns nil, the new tree is complete and durable:
// every file this Dir created and every directory of the new tree has
// been fsynced before the swap (files linked from the previous tree were
// made durable by the commit that wrote them), and the parent directory
// is fsynced after it. The swap is two renames: the previous tree to
// ".<base>.old-<pid>-<rand>", then the new one, ".<base>.tmp-<pid>-<rand>",
// to <base>.
//
// # Crashes and kill -9
//
// A process killed at any point (or a machine losing power) leaves the
// target holding the last committed tree, except in the instant between
// the two renames, when <base> is missing and the complete previous tree
// is its ".old-" name. The temporary names carry the writer's process id
// so that [Open] can tell leftovers of dead processes from the work of
// live ones: it first restores a missing <base> from a leftover ".old-"
// tree, then removes the ".tmp-" and ".old-" directories of <base> whose
// process is gone. Those of a live process (this one included) are never
// touched. Names in the old format without a process id are left alone.
// The spare tree (".<base>.spare", see [Options.Spare]) carries no
// process id and is never removed by Open; what a crash can do to it is
// in spare.go.
// Process ids are those of this machine and pid namespace: writers of one
// target from different machines or containers are not supported (nor
// are concurrent writers of one target in any case: the last commit wins).
package sitefs

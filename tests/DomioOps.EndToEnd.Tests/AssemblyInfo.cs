// The slice tests start several real processes each; run them one at a time on this 2-core machine.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

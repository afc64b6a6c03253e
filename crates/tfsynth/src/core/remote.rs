//! Values one stack of an application takes from another: a typed
//! [`StackOutput`] names an output of its producer; the producer
//! [`Stack::export`]s a value under it and a consumer reads it with
//! [`Stack::remote`], a reference into the producer's state through a
//! `terraform_remote_state` data source that the application configures
//! from the producer's backend (`App`, which also orders the stacks).

use std::marker::PhantomData;
use std::panic::Location;

use super::block::DataRef;
use super::stack::Stack;
use super::value::Value;

/// An output of the stack `stack` that other stacks of the application
/// read, typed by its value; declare it once, where both stacks see it.
///
/// ```
/// use tfsynth::{Resource, Stack, StackOutput};
///
/// pub const TOPIC_ARN: StackOutput<String> = StackOutput::new("platform", "alarm_topic_arn");
///
/// let mut platform = Stack::new("platform");
/// let topic = platform.add(Resource::new("aws_sns_topic", "alarms"));
/// platform.export(&TOPIC_ARN, topic.get::<String>("arn"));
///
/// let mut web = Stack::new("web");
/// let arn = web.remote(&TOPIC_ARN);
/// assert_eq!(
///     tfsynth::Expr::from(arn).to_hcl(),
///     "data.terraform_remote_state.platform.outputs.alarm_topic_arn"
/// );
/// ```
#[derive(Debug)]
pub struct StackOutput<T> {
    stack: &'static str,
    name: &'static str,
    sensitive: bool,
    ty: PhantomData<fn() -> T>,
}

impl<T> Clone for StackOutput<T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for StackOutput<T> {}

impl<T> StackOutput<T> {
    /// The output `name` of stack `stack`.
    pub const fn new(stack: &'static str, name: &'static str) -> Self {
        StackOutput {
            stack,
            name,
            sensitive: false,
            ty: PhantomData,
        }
    }

    /// A sensitive output: redacted in the producer's outputs and, since
    /// terraform keeps the marking, in every consumer.
    pub const fn sensitive(stack: &'static str, name: &'static str) -> Self {
        StackOutput {
            stack,
            name,
            sensitive: true,
            ty: PhantomData,
        }
    }

    /// The producing stack.
    pub fn stack(&self) -> &'static str {
        self.stack
    }

    /// The output's name.
    pub fn name(&self) -> &'static str {
        self.name
    }

    /// Whether the output is sensitive.
    pub fn is_sensitive(&self) -> bool {
        self.sensitive
    }
}

/// The data source through which a consumer reads `producer`'s state.
pub fn remote_state(producer: &str) -> DataRef {
    DataRef::new("terraform_remote_state", producer)
}

impl Stack {
    /// Exports `value` as the output `output` names, for the other stacks
    /// of the application; the output is sensitive when `output` is.
    #[track_caller]
    pub fn export<T>(&mut self, output: &StackOutput<T>, value: impl Into<Value<T>>) -> &mut Self {
        let at = Location::caller();
        if output.stack != self.name() {
            self.problem(format!(
                "stack {} exports {}.{}, an output of stack {} (at {}:{})",
                self.name(),
                output.stack,
                output.name,
                output.stack,
                at.file(),
                at.line()
            ));
            return self;
        }
        let mut block = super::block::Output::new(output.name, value.into()).description(format!(
            "read by other stacks as {}.{}",
            output.stack, output.name
        ));
        block.at = at;
        if output.sensitive {
            block = block.sensitive();
        }
        self.add(block);
        self.exports.insert(output.name.to_owned(), at);
        self
    }

    /// The value of another stack's output, read from its state.
    #[track_caller]
    pub fn remote<T>(&mut self, output: &StackOutput<T>) -> Value<T> {
        let at = Location::caller();
        if output.stack == self.name() {
            self.problem(format!(
                "stack {} reads its own output {} as a remote value (at {}:{}); use the value itself",
                self.name(),
                output.name,
                at.file(),
                at.line()
            ));
        }
        self.remotes
            .entry(output.stack.to_owned())
            .or_default()
            .entry(output.name.to_owned())
            .or_insert(at);
        Value::from(remote_state(output.stack).attr("outputs").attr(output.name))
    }

    /// The outputs this stack exports to other stacks, by name.
    pub fn exported(&self) -> impl Iterator<Item = &str> {
        self.exports.keys().map(String::as_str)
    }

    /// The stacks this stack reads outputs of, each with the outputs read
    /// and where each was first read.
    pub fn remotes(&self) -> impl Iterator<Item = (&str, Vec<(&str, &'static Location<'static>)>)> {
        self.remotes.iter().map(|(stack, outputs)| {
            (
                stack.as_str(),
                outputs.iter().map(|(n, at)| (n.as_str(), *at)).collect(),
            )
        })
    }
}

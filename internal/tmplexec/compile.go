package tmplexec

import (
	"errors"
	"html/template"
	"reflect"
	"strings"
	"text/template/parse"
)

// execFn executes a node with dot; evalFn evaluates a pipeline or an
// argument; cmdFn evaluates a command, final being the value of the
// command before it in the pipeline (when the command was compiled with
// one).
type (
	execFn func(s *state, dot reflect.Value) error
	evalFn func(s *state, dot reflect.Value) (reflect.Value, error)
	cmdFn  func(s *state, dot, final reflect.Value) (reflect.Value, error)
)

// compiled is one template's compiled tree. exec is set once its whole
// tree is compiled, so that templates may call themselves.
type compiled struct {
	exec execFn
}

// errBreak and errContinue carry {{break}} and {{continue}} to their
// range.
var (
	errBreak    = errors.New("break")
	errContinue = errors.New("continue")
)

// compiler compiles the templates of std's name space, each once.
type compiler struct {
	std   *template.Template
	funcs template.FuncMap
	done  map[string]*compiled
}

func (c *compiler) template(name string) (*compiled, error) {
	if ct, ok := c.done[name]; ok {
		return ct, nil
	}
	t := c.std.Lookup(name)
	if t == nil || t.Tree == nil || t.Tree.Root == nil {
		return nil, unsupported("template %q is not defined", name)
	}
	ct := &compiled{}
	c.done[name] = ct
	fn, err := c.list(t.Tree.Root)
	if err != nil {
		return nil, err
	}
	ct.exec = fn
	return ct, nil
}

func nop(*state, reflect.Value) error { return nil }

func (c *compiler) list(l *parse.ListNode) (execFn, error) {
	if l == nil {
		return nop, nil
	}
	fns := make([]execFn, 0, len(l.Nodes))
	for _, n := range l.Nodes {
		fn, err := c.node(n)
		if err != nil {
			return nil, err
		}
		fns = append(fns, fn)
	}
	return func(s *state, dot reflect.Value) error {
		for _, fn := range fns {
			if err := fn(s, dot); err != nil {
				return err
			}
		}
		return nil
	}, nil
}

func (c *compiler) node(n parse.Node) (execFn, error) {
	switch n := n.(type) {
	case *parse.TextNode:
		text := n.Text
		return func(s *state, _ reflect.Value) error {
			s.w.Write(text)
			return nil
		}, nil
	case *parse.CommentNode:
		return nop, nil
	case *parse.ActionNode:
		return c.action(n)
	case *parse.IfNode:
		return c.ifWith(n.Pipe, n.List, n.ElseList, false)
	case *parse.WithNode:
		return c.ifWith(n.Pipe, n.List, n.ElseList, true)
	case *parse.RangeNode:
		return c.rangeNode(n)
	case *parse.TemplateNode:
		return c.templateNode(n)
	case *parse.BreakNode:
		return func(*state, reflect.Value) error { return errBreak }, nil
	case *parse.ContinueNode:
		return func(*state, reflect.Value) error { return errContinue }, nil
	}
	return nil, unsupported("node %s", n)
}

// action compiles an action: one that declares variables prints
// nothing; every other one must end in html/template's escapers, the
// only way it prints.
func (c *compiler) action(n *parse.ActionNode) (execFn, error) {
	if len(n.Pipe.Decl) > 0 {
		pipe, err := c.pipeline(n.Pipe)
		if err != nil {
			return nil, err
		}
		return func(s *state, dot reflect.Value) error {
			_, err := pipe(s, dot)
			return err
		}, nil
	}
	cmds := n.Pipe.Cmds
	k := len(cmds)
	var escs []escaper
	for ; k > 0 && len(cmds[k-1].Args) == 1; k-- {
		id, ok := cmds[k-1].Args[0].(*parse.IdentifierNode)
		if !ok || escapers[id.Ident] == nil {
			break
		}
		escs = append([]escaper{escapers[id.Ident]}, escs...)
	}
	if len(escs) == 0 || k == 0 {
		return nil, unsupported("action %s is not escaped as expected", n)
	}
	value, err := c.commands(cmds[:k])
	if err != nil {
		return nil, err
	}
	return func(s *state, dot reflect.Value) error {
		v, err := value(s, dot)
		if err != nil {
			return err
		}
		str, ct, err := stringify(v)
		if err != nil {
			return err
		}
		for _, esc := range escs {
			if str, err = esc(str, ct); err != nil {
				return err
			}
			ct = contentPlain
		}
		s.w.WriteString(str)
		return nil
	}, nil
}

// pipeline compiles a pipeline with its variable declarations.
func (c *compiler) pipeline(p *parse.PipeNode) (evalFn, error) {
	value, err := c.commands(p.Cmds)
	if err != nil {
		return nil, err
	}
	if len(p.Decl) == 0 {
		return value, nil
	}
	names := make([]string, len(p.Decl))
	for i, d := range p.Decl {
		names[i] = d.Ident[0]
	}
	assign := p.IsAssign
	return func(s *state, dot reflect.Value) (reflect.Value, error) {
		v, err := value(s, dot)
		if err != nil {
			return v, err
		}
		for _, name := range names {
			if !assign {
				s.push(name, v)
				continue
			}
			vr, err := s.lookup(name)
			if err != nil {
				return v, err
			}
			vr.value = v
		}
		return v, nil
	}, nil
}

// commands compiles the commands of a pipeline, each given the value of
// the one before.
func (c *compiler) commands(cmds []*parse.CommandNode) (evalFn, error) {
	if len(cmds) == 0 {
		return nil, unsupported("empty pipeline")
	}
	fns := make([]cmdFn, len(cmds))
	for i, cmd := range cmds {
		fn, err := c.command(cmd, i > 0)
		if err != nil {
			return nil, err
		}
		fns[i] = fn
	}
	return func(s *state, dot reflect.Value) (reflect.Value, error) {
		var v reflect.Value
		for _, fn := range fns {
			var err error
			if v, err = fn(s, dot, v); err != nil {
				return v, err
			}
			// As text/template does, an interface{} is dug into.
			if v.Kind() == reflect.Interface && v.Type().NumMethod() == 0 {
				v = v.Elem()
			}
		}
		return v, nil
	}, nil
}

// command compiles a command; final says whether the pipeline passes it
// a value.
func (c *compiler) command(cmd *parse.CommandNode, final bool) (cmdFn, error) {
	withArgs := len(cmd.Args) > 1 || final
	switch n := cmd.Args[0].(type) {
	case *parse.FieldNode:
		if withArgs {
			return nil, unsupported("method call with arguments %s", cmd)
		}
		return ignoreFinal(c.fields(dotValue, n.Ident)), nil
	case *parse.VariableNode:
		if withArgs {
			return nil, unsupported("variable with arguments %s", cmd)
		}
		return ignoreFinal(c.variable(n)), nil
	case *parse.IdentifierNode:
		return c.function(n.Ident, cmd.Args[1:], final)
	}
	if withArgs {
		return nil, unsupported("arguments to a non-function %s", cmd)
	}
	v, err := c.arg(cmd.Args[0])
	if err != nil {
		return nil, err
	}
	return ignoreFinal(v), nil
}

func ignoreFinal(f evalFn) cmdFn {
	return func(s *state, dot, _ reflect.Value) (reflect.Value, error) { return f(s, dot) }
}

func dotValue(_ *state, dot reflect.Value) (reflect.Value, error) { return dot, nil }

// arg compiles an operand: a value evaluated without a type to convert
// it to, as text/template does for a command's first word and for
// arguments of the built-in functions.
func (c *compiler) arg(n parse.Node) (evalFn, error) {
	switch n := n.(type) {
	case *parse.DotNode:
		return dotValue, nil
	case *parse.FieldNode:
		return c.fields(dotValue, n.Ident), nil
	case *parse.VariableNode:
		return c.variable(n), nil
	case *parse.PipeNode:
		return c.pipeline(n)
	case *parse.IdentifierNode:
		f, err := c.function(n.Ident, nil, false)
		if err != nil {
			return nil, err
		}
		return func(s *state, dot reflect.Value) (reflect.Value, error) {
			return f(s, dot, reflect.Value{})
		}, nil
	case *parse.BoolNode:
		return constant(reflect.ValueOf(n.True)), nil
	case *parse.StringNode:
		return constant(reflect.ValueOf(n.Text)), nil
	case *parse.NumberNode:
		v, err := idealConstant(n)
		if err != nil {
			return nil, err
		}
		return constant(v), nil
	}
	return nil, unsupported("operand %s", n)
}

func constant(v reflect.Value) evalFn {
	return func(*state, reflect.Value) (reflect.Value, error) { return v, nil }
}

// idealConstant is the value of a number whose type the context does
// not say, as text/template gives it.
func idealConstant(n *parse.NumberNode) (reflect.Value, error) {
	isHex := len(n.Text) > 2 && n.Text[0] == '0' && (n.Text[1] == 'x' || n.Text[1] == 'X') && !strings.ContainsAny(n.Text, "pP")
	isRune := len(n.Text) > 0 && n.Text[0] == '\''
	switch {
	case n.IsComplex:
		return reflect.ValueOf(n.Complex128), nil
	case n.IsFloat && !isHex && !isRune && strings.ContainsAny(n.Text, ".eEpP"):
		return reflect.ValueOf(n.Float64), nil
	case n.IsInt && int64(int(n.Int64)) == n.Int64:
		return reflect.ValueOf(int(n.Int64)), nil
	}
	return reflect.Value{}, unsupported("number %s", n.Text)
}

// variable compiles $x or $x.Field....
func (c *compiler) variable(n *parse.VariableNode) evalFn {
	name := n.Ident[0]
	v := func(s *state, _ reflect.Value) (reflect.Value, error) {
		vr, err := s.lookup(name)
		if err != nil {
			return reflect.Value{}, err
		}
		return vr.value, nil
	}
	if len(n.Ident) == 1 {
		return v
	}
	return c.fields(v, n.Ident[1:])
}

// fields compiles .A.B.C applied to what recv evaluates to.
func (c *compiler) fields(recv evalFn, idents []string) evalFn {
	steps := make([]*field, len(idents))
	for i, name := range idents {
		steps[i] = &field{name: name}
	}
	return func(s *state, dot reflect.Value) (reflect.Value, error) {
		v, err := recv(s, dot)
		for _, f := range steps {
			if err != nil {
				break
			}
			v, err = f.eval(v)
		}
		return v, err
	}
}

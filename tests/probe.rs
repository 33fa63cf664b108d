tilde::model! {
    pub struct Probe0;
    functions {
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
    }
    data {
        vector[2] x;
    }
    parameters {
        vector[2] theta;
    }
    model {
        target += sum(outer_self(theta));
    }
}

tilde::model! {
    pub struct Probe1;
    functions {
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
    }
    data {
        vector[2] x;
    }
    parameters {
        vector[2] theta;
    }
    model {
        target += sum(outer_self(theta) * theta);
    }
}

tilde::model! {
    pub struct Probe2;
    functions {
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
    }
    data {
        vector[2] x;
    }
    parameters {
        vector[2] theta;
    }
    model {
        target += rows(outer_self(theta)) + cols(outer_self(theta));
    }
}

tilde::model! {
    pub struct Probe3;
    functions {
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
    }
    data {
        vector[2] x;
    }
    parameters {
        vector[2] theta;
    }
    model {
        target += log_determinant(outer_self(theta) + diag_matrix(x));
    }
}

tilde::model! {
    pub struct Probe4;
    functions {
        matrix outer_self(vector v) {
            return v * transpose(v);
        }
    }
    data {
        vector[2] x;
    }
    parameters {
        vector[2] theta;
    }
    model {
        print(outer_self(theta));
    }
}

#[test]
fn probe() {}
